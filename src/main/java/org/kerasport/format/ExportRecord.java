package org.kerasport.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.WeightSpec;

/** The Keras side of a Kerasport DL4J zip's metadata, written at convert time and read back by the export. */
public final class ExportRecord {
    private ExportRecord() {
    }

    /**
     * Records in {@code meta} the current Keras 3 config (with fine-tuning edits), its compile config and every
     * weight's shape: what a Kerasport DL4J zip needs so that {@code kerasport export} can write it back to Keras.
     */
    public static void write(KerasModel k, ObjectNode meta) {
        KerasConfigUpgrader up = new KerasConfigUpgrader(k);
        meta.set("keras_export_config", up.modelConfig());
        ObjectNode cc = up.compileConfig();
        if (cc != null) meta.set("keras_export_compile_config", cc);
        ArrayNode ws = meta.putArray("keras_weights");
        for (LayerSpec l : k.layers())
            for (WeightSpec w : l.weights()) {
                ObjectNode o = ws.addObject().put("layer", l.name()).put("name", w.name()).put("dtype", w.dtype());
                ArrayNode s = o.putArray("shape");
                if (w.shape() != null) for (long d : w.shape()) s.add(d);
            }
    }
}
