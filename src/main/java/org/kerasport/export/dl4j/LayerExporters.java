package org.kerasport.export.dl4j;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * The DL4J → Keras layer exporters, keyed by DL4J configuration class. A class registered {@link #exact} serves that
 * class only (DL4J's ConvolutionLayer, not its Deconvolution2D or Convolution1DLayer subclasses); one registered
 * {@link #withSubclasses} also serves subclasses that have no entry of their own. Registering a class twice fails when
 * the table is built, at start-up.
 */
public final class LayerExporters {
    private record Entry(LayerExporter<Layer> exporter, boolean subclasses) {
    }

    private final Map<Class<?>, Entry> table = new HashMap<>();

    /** Every family's exporters. */
    public static final LayerExporters ALL = new LayerExporters();

    static {
        DenseExporters.register(ALL);
        CoreExporters.register(ALL);
        ConvExporters.register(ALL);
        VolumeExporters.register(ALL);
        SequenceExporters.register(ALL);
        RecurrentExporters.register(ALL);
    }

    LayerExporters() {
    }

    <L extends Layer> void exact(Class<L> c, LayerExporter<? super L> x) {
        put(c, x, false);
    }

    <L extends Layer> void withSubclasses(Class<L> c, LayerExporter<? super L> x) {
        put(c, x, true);
    }

    @SuppressWarnings("unchecked")
    private void put(Class<?> c, LayerExporter<?> x, boolean subclasses) {
        if (table.putIfAbsent(c, new Entry((LayerExporter<Layer>) x, subclasses)) != null)
            throw new IllegalStateException("two DL4J → Keras exporters for " + c.getName());
    }

    /** The exporter for {@code c}'s class, or null. */
    LayerExporter<Layer> find(Class<?> c) {
        Entry e = table.get(c);
        if (e != null) return e.exporter();
        for (Class<?> s = c.getSuperclass(); s != null; s = s.getSuperclass()) {
            e = table.get(s);
            if (e != null && e.subclasses()) return e.exporter();
        }
        return null;
    }

    /** Writes {@code c}; a class without an exporter is recorded as having no counterpart (null). */
    public ObjectNode export(Layer c, Emit e) {
        LayerExporter<Layer> x = find(c.getClass());
        return x == null ? e.noCounterpart(c) : x.export(c, e);
    }

    /** The number of registered classes (a test checks the table is built). */
    public int size() {
        return table.size();
    }
}
