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
import org.kerasport.util.NativeSetup;

/**
 * The fast native paths Kerasport turns on by itself, each one proven against real Keras by the trajectory tests
 * (docs: bench/RESULTS.md, "Faster defaults").
 *
 * <ul>
 *   <li><b>ND4J's oneDNN build</b> ({@code nd4j-native} classifier {@code linux-x86_64-onednn-avx512}) is chosen
 *       before ND4J loads, when the CPU has AVX-512 and the jar is on the class path ({@link #configure()}).</li>
 *   <li><b>Channels-last convolutions through ND4J's oneDNN ops</b> (the default, {@link #nhwcOps()}): Keras'
 *       Conv2D layers stay NHWC and {@link org.kerasport.dl4j.layers.KerasConvolution2DImpl} calls ND4J's
 *       {@code conv2d}/{@code conv2d_bp} itself on contiguous arrays (given strided views, the NHWC op computes wrong
 *       values, which is how DL4J's own NHWC oneDNN helper gets wrong gradients: it never gets one); poolings run
 *       DL4J's NHWC path, whose ND4J ops use oneDNN in this build. A convolution reading the network input computes
 *       only its weight gradient.</li>
 *   <li><b>{@code -Dkerasport.conv=nchw}</b>: the previous default, 2-D convolutions and poolings channels-first
 *       ({@link MappingContext#channelsFirst(String)}; weights are unaffected: DL4J keeps [out, in, kh, kw] either
 *       way) with DL4J's oneDNN helpers attached ({@link #attachHelpers}). DL4J's helpers are off by default and,
 *       in 1.0.0-M2.1, never switch on (they look up a class that no longer exists); no NHWC layer,
 *       BatchNormalization, dilated convolution (refused by ND4J's oneDNN op) or average pooling with padding ever
 *       gets one.</li>
 * </ul>
 *
 * <p>{@code -Dkerasport.native=stock} (or the environment variable {@code KERASPORT_NATIVE=stock}) loads ND4J's
 * default build and keeps every layer channels-last; so does a CPU without AVX-512. An explicit
 * {@code -Dorg.bytedeco.javacpp.platform.extension} is left alone.
 */
public final class FastPaths {
    private static Boolean oneDnn;

    private FastPaths() {
    }

    /**
     * Chooses ND4J's native build and turns off JavaCPP's resident-size check ({@link NativeSetup#configure}); must run
     * before ND4J or JavaCPP load (Kerasport's entry points call it from their static initializers, the CLI first
     * thing). Later calls do nothing.
     */
    public static void configure() {
        NativeSetup.configure();
    }

    /** True when ND4J runs its oneDNN build with helpers allowed (this loads ND4J). */
    public static synchronized boolean oneDnn() {
        if (oneDnn == null) {
            configure();
            boolean on;
            try {
                // the build's own list of features (isUseONEDNN() is true in the default build as well)
                on = !NativeSetup.mode().equals("stock")
                        && org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo().contains("HAVE_ONEDNN")
                        && org.nd4j.linalg.factory.Nd4j.getEnvironment().helpersAllowed();
            } catch (Throwable t) { // another backend, or no native library
                on = false;
            }
            oneDnn = on;
        }
        return oneDnn;
    }

    /** Whether the importer runs 2-D convolutions and poolings channels-first: only where that is the fast path. */
    public static boolean channelsFirst() {
        return oneDnn() && !nhwcOps();
    }

    /**
     * Whether channels-last Conv2D layers call ND4J's oneDNN conv2d/conv2d_bp themselves on contiguous arrays (the
     * default with the oneDNN build) instead of running channels-first with DL4J's helper ({@code -Dkerasport.conv=nchw}).
     */
    public static boolean nhwcOps() {
        return oneDnn() && !"nchw".equals(System.getProperty("kerasport.conv"));
    }

    /**
     * The OpenBLAS library ND4J calls, its version and the kernel each loaded copy runs ({@link NativeSetup#describeBlas});
     * loads ND4J and its Java-side BLAS (which it would load at its first matrix product anyway).
     */
    public static String describeBlas() {
        configure();
        try {
            org.nd4j.linalg.factory.Nd4j.getExecutioner();
            org.bytedeco.javacpp.Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
        } catch (Throwable t) {
            return "BLAS unknown (" + t + ")";
        }
        return NativeSetup.describeBlas();
    }

    /** A one-line description of the native paths in use, for reports and `--version`. */
    public static String describe() {
        configure();
        String blas;
        try {
            blas = String.valueOf(org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation().get("blas.vendor"));
        } catch (Throwable t) {
            blas = "unknown";
        }
        return oneDnn() ? "ND4J oneDNN build (AVX-512), BLAS " + blas + ", 2-D convolutions and pooling channels-first with oneDNN"
                : "ND4J default build, BLAS " + blas + ", no oneDNN";
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
        boolean helpers = oneDnn();
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
            throw new IllegalStateException("backward pass through " + getVertexName() + ", which needs none (FastPaths.noBackward)");
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
     * default channels-last path ({@link #nhwcOps()}), where the convolution's backward pass is Kerasport's own.
     */
    private static void deferReluToPooling(ComputationGraph g) {
        var vertices = g.getVertices();
        for (var v : vertices) {
            if (v.hasLayer() && inner(v.getLayer()) instanceof org.kerasport.dl4j.layers.KerasConvolution2DImpl k) k.reluDeferred(false);
            if (v.hasLayer() && inner(v.getLayer()) instanceof org.kerasport.dl4j.layers.KerasSubsamplingImpl p) p.reluAfter(false);
        }
        if (!nhwcOps()) return;
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
