package org.kerasport.export.dl4j;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.conf.layers.Layer;

/** Writes one DL4J layer configuration as Keras layer(s): one family of layers per file, registered in {@link LayerExporters}. */
@FunctionalInterface
public interface LayerExporter<L extends Layer> {
    /**
     * Writes {@code c} into its entry ({@link Emit#config}), sets the output flow and the weight moves; returns the
     * config, or null when {@code c} has no Keras counterpart where it stands (the problem recorded).
     */
    ObjectNode export(L c, Emit e);
}
