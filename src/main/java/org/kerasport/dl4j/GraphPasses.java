package org.kerasport.dl4j;

import java.lang.reflect.Field;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.nd4j.linalg.api.buffer.DataType;
import org.kerasport.dl4j.runtime.Backend;

/**
 * The passes every ComputationGraph Kerasport makes or restores goes through before it runs ({@link #prepare}): they
 * set per-layer runtime flags that follow from the graph's structure and the {@link Backend}'s choices — which layers
 * skip their input or weight gradient, which vertices need no backward pass, which max pooling applies the ReLU of
 * the convolution before it, and DL4J's oneDNN helpers on channels-first convolutions and poolings (oneDNN build
 * only). They run again after any change to the graph (DL4J creates no helpers itself).
 */
public final class GraphPasses {
    private GraphPasses() {
    }

    /**
     * What every graph Kerasport makes or restores gets before it runs: {@link #attachHelpers} and the
     * {@link GraphUpdater} (DL4J's updater on its standard path).
     */
    public static ComputationGraph prepare(ComputationGraph g) {
        return GraphUpdater.install(attachHelpers(g));
    }

    /**
     * Tells Kerasport's dense and convolution layers that read the network's input not to compute the gradient for it,
     * and gives the graph's channels-first 2-D convolutions and max/valid poolings DL4J's oneDNN helpers (once after
     * every graph initialization: DL4J creates none itself; the helpers only with the oneDNN build).
     */
    public static ComputationGraph attachHelpers(ComputationGraph g) {
        if (g.getLayers() == null) return g;
        boolean helpers = Backend.oneDnn();
        boolean[] noBackward = noBackward(g);
        for (Layer layer : g.getLayers()) {
            Layer l = inner(layer);
            // any build: layers fed by the network input, or only by vertices that need no backward pass, skip the
            // input's gradient; a frozen dense layer computes no weight gradient
            if (l instanceof org.kerasport.dl4j.layers.KerasDenseImpl d) {
                d.inputGradientNeeded(!readsNetworkInput(g, l, noBackward));
                d.weightGradientNeeded(!(layer instanceof FrozenLayerWithBackprop && frozenBackwardSkipped()));
            }
            if (l instanceof org.kerasport.dl4j.layers.KerasConvolution2DImpl k) k.inputGradientNeeded(!readsNetworkInput(g, l, noBackward));
            if (!helpers) continue;
            if (l.getClass() == ConvolutionLayer.class || l.getClass() == org.kerasport.dl4j.layers.KerasConvolution2DImpl.class) {
                var c = (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) l.conf().getLayer();
                // ND4J M2.1's oneDNN conv2d op refuses dilated kernels (DL4J would log an error and fall back)
                boolean dilated = c.getDilation()[0] != 1 || c.getDilation()[1] != 1;
                if (c.getCnn2dDataFormat() == CNN2DFormat.NCHW && !dilated && l.getParam("W").dataType() == DataType.FLOAT)
                    setHelper(ConvolutionLayer.class, l, new MKLDNNConvHelper(DataType.FLOAT));
            } else if (l.getClass() == SubsamplingLayer.class || l.getClass() == org.kerasport.dl4j.layers.KerasSubsamplingImpl.class) {
                var c = (org.deeplearning4j.nn.conf.layers.SubsamplingLayer) l.conf().getLayer();
                boolean padded = c.getConvolutionMode() == org.deeplearning4j.nn.conf.ConvolutionMode.Same
                        || c.getPadding()[0] != 0 || c.getPadding()[1] != 0;
                // oneDNN's average pooling is not told to leave padding out of the divisor (Keras does): max only
                if (c.getCnn2dDataFormat() == CNN2DFormat.NCHW && (c.getPoolingType() == PoolingType.MAX || !padded))
                    setHelper(SubsamplingLayer.class, l, new MKLDNNSubsamplingHelper(DataType.FLOAT));
            }
        }
        deferReluToPooling(g);
        skipBackward(g, noBackward);
        return g;
    }

    /**
     * {@code -Dkerasport.frozenBackward=full}: the backward pass runs through every vertex and frozen Dense layers
     * compute their weight gradient (the previous behaviour, for comparisons).
     */
    public static boolean frozenBackwardSkipped() {
        return !"full".equals(System.getProperty("kerasport.frozenBackward"));
    }

    /**
     * Which vertices need no backward pass (by vertex index): those with no trainable parameter in them or in any
     * vertex before them (a frozen base, and the weightless layers, paddings, additions and poolings between and after
     * its layers up to the first trainable layer). Their input gradients would only reach frozen weights, so the
     * trainable weights' gradients are the same without them, bit for bit: no vertex that needs its backward pass
     * reads one of these (a vertex after a trainable one is itself after it). Network inputs and outputs are never
     * in the set. All false with {@code -Dkerasport.frozenBackward=full}.
     */
    public static boolean[] noBackward(ComputationGraph g) {
        GraphVertex[] vs = g.getVertices();
        boolean[] none = new boolean[vs.length];
        if (!frozenBackwardSkipped()) return none;
        boolean[] after = new boolean[vs.length]; // a trainable parameter in the vertex or before it
        java.util.Set<String> outputs = new java.util.HashSet<>(g.getConfiguration().getNetworkOutputs());
        for (int idx : g.topologicalSortOrder()) {
            GraphVertex v = vs[idx];
            boolean t = v.hasLayer() && !(v.getLayer() instanceof FrozenLayerWithBackprop)
                    && !(v.getLayer() instanceof org.deeplearning4j.nn.layers.FrozenLayer) && v.getLayer().numParams() > 0;
            if (v.getInputVertices() != null) for (var in : v.getInputVertices()) t |= after[in.getVertexIndex()];
            after[idx] = t;
            none[idx] = !t && !v.isInputVertex() && !outputs.contains(v.getVertexName());
        }
        return none;
    }

    /**
     * Puts each vertex that needs no backward pass into a {@link NoBackwardVertex}, which DL4J's ComputationGraph
     * steps over in its backward pass (as for its own FrozenVertex): the forward pass is unchanged. Only the graph's
     * vertex array changes; looking a vertex up by name still gives the vertex itself.
     */
    private static void skipBackward(ComputationGraph g, boolean[] noBackward) {
        GraphVertex[] vs = g.getVertices();
        for (int i = 0; i < vs.length; i++)
            if (noBackward[i] && !(vs[i] instanceof NoBackwardVertex)) vs[i] = new NoBackwardVertex(vs[i]);
    }

    /** A vertex whose backward pass is never needed: DL4J's ComputationGraph skips any FrozenVertex when backpropagating. */
    public static final class NoBackwardVertex extends org.deeplearning4j.nn.graph.vertex.impl.FrozenVertex {
        NoBackwardVertex(GraphVertex v) {
            super(v);
        }

        private volatile ForwardSource source;

        public GraphVertex vertex() {
            return underlying;
        }

        /** Where this vertex's forward pass comes from while set (a feature cache, org.kerasport.train.FeatureCache); null: computed. */
        public void forwardSource(ForwardSource s) {
            source = s;
        }

        /** The forward pass computed as usual (for a {@link ForwardSource} that needs it). */
        public org.nd4j.linalg.api.ndarray.INDArray computeForward(boolean training, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr ws) {
            return underlying.doForward(training, ws);
        }

        @Override
        public org.nd4j.linalg.api.ndarray.INDArray doForward(boolean training, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr ws) {
            ForwardSource s = source;
            return s == null ? underlying.doForward(training, ws) : s.forward(this, training, ws);
        }

        /** The vertex's own (DL4J's FrozenVertex would answer a no-op configuration, which the updater reads). */
        @Override
        public org.deeplearning4j.nn.api.TrainingConfig getConfig() {
            return underlying.getConfig();
        }

        @Override
        public org.nd4j.common.primitives.Pair<org.deeplearning4j.nn.gradient.Gradient, org.nd4j.linalg.api.ndarray.INDArray[]> doBackward(
                boolean tbptt, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr workspaceMgr) {
            throw new IllegalStateException("backward pass through " + getVertexName() + ", which needs none (GraphPasses.noBackward)");
        }
    }

    /** Supplies a {@link NoBackwardVertex}'s forward pass (it may call {@link NoBackwardVertex#computeForward}). */
    public interface ForwardSource {
        org.nd4j.linalg.api.ndarray.INDArray forward(NoBackwardVertex v, boolean training, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr ws);
    }

    /** The vertex inside a {@link NoBackwardVertex}, else the vertex. */
    public static GraphVertex unwrap(GraphVertex v) {
        return v instanceof NoBackwardVertex n ? n.vertex() : v;
    }

    /**
     * Lets a max pooling apply the ReLU of the convolution before it ({@link
     * org.kerasport.dl4j.layers.KerasSubsamplingImpl}): where the pooling's vertex (no preprocessor) reads a
     * channels-last ReLU convolution whose output nothing else reads and which is not a network output. Only on the
     * default channels-last path ({@link Backend#nhwcOps()}), where the convolution's backward pass is Kerasport's own.
     */
    private static void deferReluToPooling(ComputationGraph g) {
        var vertices = g.getVertices();
        for (var v : vertices) {
            if (v.hasLayer() && inner(v.getLayer()) instanceof org.kerasport.dl4j.layers.KerasConvolution2DImpl k) k.reluDeferred(false);
            if (v.hasLayer() && inner(v.getLayer()) instanceof org.kerasport.dl4j.layers.KerasSubsamplingImpl p) p.reluAfter(false);
        }
        if (!Backend.nhwcOps()) return;
        var outputs = g.getConfiguration().getNetworkOutputs();
        for (var vw : vertices) {
            var v = unwrap(vw);
            if (!v.hasLayer() || !(inner(v.getLayer()) instanceof org.kerasport.dl4j.layers.KerasSubsamplingImpl pool)
                    || ((org.deeplearning4j.nn.conf.layers.SubsamplingLayer) pool.conf().getLayer()).getPoolingType() != PoolingType.MAX
                    || !(v instanceof org.deeplearning4j.nn.graph.vertex.impl.LayerVertex lv) || lv.getLayerPreProcessor() != null
                    || v.getInputVertices() == null || v.getInputVertices().length != 1) continue;
            var src = unwrap(vertices[v.getInputVertices()[0].getVertexIndex()]);
            if (!src.hasLayer() || !(inner(src.getLayer()) instanceof org.kerasport.dl4j.layers.KerasConvolution2DImpl conv)
                    || conv.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b
                    && b.getActivationFn().getClass() != org.kerasport.dl4j.activation.KerasReLU.class
                    || ((org.deeplearning4j.nn.conf.layers.ConvolutionLayer) conv.conf().getLayer()).getCnn2dDataFormat() != CNN2DFormat.NHWC
                    || src.getOutputVertices() == null || src.getOutputVertices().length != 1 || outputs.contains(src.getVertexName()))
                continue;
            conv.reluDeferred(true);
            pool.reluAfter(true);
        }
    }

    private static Layer inner(Layer l) {
        return l instanceof FrozenLayerWithBackprop f ? f.getInsideLayer() : l;
    }

    /**
     * True when the layer's vertex (no preprocessor) reads a network input directly or through one
     * {@link org.kerasport.dl4j.layers.ChannelsOrderVertexImpl}: the gradient for its input is then discarded.
     */
    private static boolean readsNetworkInput(ComputationGraph g, Layer l, boolean[] noBackward) {
        for (var vw : g.getVertices()) {
            var v = unwrap(vw);
            if (!v.hasLayer() || inner(v.getLayer()) != l) continue;
            if (!(v instanceof org.deeplearning4j.nn.graph.vertex.impl.LayerVertex lv) || lv.getLayerPreProcessor() != null
                    || v.getInputVertices() == null || v.getInputVertices().length != 1) return false;
            int i = v.getInputVertices()[0].getVertexIndex();
            if (noBackward[i]) return true; // its gradient would go nowhere
            var in = unwrap(g.getVertices()[i]);
            if (in instanceof org.kerasport.dl4j.layers.ChannelsOrderVertexImpl && in.getInputVertices() != null && in.getInputVertices().length == 1)
                in = g.getVertices()[in.getInputVertices()[0].getVertexIndex()];
            return in.isInputVertex();
        }
        return false;
    }

    private static void setHelper(Class<?> owner, Layer l, Object helper) {
        try {
            Field f = owner.getDeclaredField("helper");
            f.setAccessible(true);
            f.set(l, helper);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot attach " + helper.getClass().getSimpleName() + " to " + l, e);
        }
    }
}
