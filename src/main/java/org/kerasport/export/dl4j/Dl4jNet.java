package org.kerasport.export.dl4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.kerasport.MalformedModelException;
import org.kerasport.UnsupportedFeatureException;
import org.kerasport.UnsupportedItem;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A DL4J model read for export, as nodes in topological order: a layer (its configuration with DL4J's transfer
 * learning wrappers removed, whether it was frozen, its parameters and preprocessor) or a parameter-free vertex; in a
 * ComputationGraph each node's DL4J vertex name and the vertex names it reads. {@link #graph} is false for a
 * MultiLayerNetwork or a graph that is one chain from one input to one output (a Sequential model).
 */
public final class Dl4jNet {
    public final List<Layer> confs = new ArrayList<>();
    public final List<Boolean> frozen = new ArrayList<>();
    public final List<Map<String, INDArray>> params = new ArrayList<>();
    public final List<InputPreProcessor> pre = new ArrayList<>();
    public final List<String> vertexNames = new ArrayList<>();
    public final List<List<String>> inputsOf = new ArrayList<>();
    /** The node's vertex when it is no layer, else null. */
    public final List<GraphVertex> vertexOf = new ArrayList<>();
    public final List<String> netInputs = new ArrayList<>(), netOutputs = new ArrayList<>();
    public boolean graph;

    private Dl4jNet() {
    }

    public static Dl4jNet read(Path zip) {
        Dl4jNet n = new Dl4jNet();
        try {
            MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), false);
            for (int i = 0; i < net.getLayers().length; i++) {
                n.add(net.getLayerWiseConfigurations().getConf(i).getLayer(), // the configuration keeps wrappers (LastTimeStep)
                        net.getLayers()[i].paramTable(), net.getLayerWiseConfigurations().getInputPreProcess(i), null);
            }
        } catch (IOException | RuntimeException notMln) {
            try {
                n.readGraph(zip, ModelSerializer.restoreComputationGraph(zip.toFile(), false));
            } catch (IOException | RuntimeException e) {
                if (e instanceof UnsupportedFeatureException u) throw u;
                throw new MalformedModelException(zip, "configuration.json", "not a DL4J MultiLayerNetwork or ComputationGraph: " + e.getMessage(), e);
            }
        }
        if (n.confs.isEmpty()) throw new MalformedModelException(zip, "configuration.json", "the DL4J model has no layers");
        return n;
    }

    private void add(Layer c, Map<String, INDArray> p, InputPreProcessor pp, GraphVertex vertex) {
        // DL4J's transfer-learning wrappers: a layer that does not train (Keras trainable=False)
        boolean f = true;
        if (c instanceof FrozenLayer fl) c = fl.getLayer();
        else if (c instanceof FrozenLayerWithBackprop fb) c = fb.getUnderlying();
        else f = false;
        confs.add(c);
        frozen.add(f);
        params.add(p);
        pre.add(pp);
        vertexOf.add(vertex);
    }

    private void readGraph(Path zip, ComputationGraph g) {
        var gc = g.getConfiguration();
        netInputs.addAll(gc.getNetworkInputs());
        netOutputs.addAll(gc.getNetworkOutputs());
        List<UnsupportedItem> vertexProblems = new ArrayList<>();
        for (int idx : g.topologicalSortOrder()) {
            var v = g.getVertices()[idx];
            if (v.isInputVertex()) continue;
            var vc = gc.getVertices().get(v.getVertexName());
            List<String> ins = new ArrayList<>();
            for (var vi : v.getInputVertices()) ins.add(g.getVertices()[vi.getVertexIndex()].getVertexName());
            if (v.hasLayer()) {
                add(vc instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : v.getLayer().conf().getLayer(), v.getLayer().paramTable(),
                        vc instanceof LayerVertex lv ? lv.getPreProcessor() : null, null);
            } else if (VertexExporters.supports(vc)) {
                confs.add(null);
                frozen.add(false);
                params.add(Map.of());
                pre.add(null);
                vertexOf.add(vc);
            } else {
                vertexProblems.add(new UnsupportedItem(v.getVertexName(), vc.getClass().getSimpleName(), "vertex",
                        "no generated Keras counterpart for DL4J's " + vc.getClass().getSimpleName()
                                + " (MergeVertex, ElementWiseVertex, ScaleVertex, ShiftVertex, ReshapeVertex and L2NormalizeVertex have one)"));
                continue;
            }
            vertexNames.add(v.getVertexName());
            inputsOf.add(ins);
        }
        if (!vertexProblems.isEmpty()) throw new UnsupportedFeatureException(zip, vertexProblems);
        // one chain: one input, one output, every node reading the node before it (the first the input)
        graph = netInputs.size() != 1 || netOutputs.size() != 1 || vertexOf.stream().anyMatch(Objects::nonNull);
        for (int i = 0; i < vertexNames.size() && !graph; i++)
            graph = !inputsOf.get(i).equals(List.of(i == 0 ? netInputs.get(0) : vertexNames.get(i - 1)));
        if (!graph && !netOutputs.get(0).equals(vertexNames.get(vertexNames.size() - 1))) graph = true;
    }

    /** Node i's Keras layer name. */
    public String name(int i) {
        if (confs.get(i) == null) return safe(vertexNames.get(i));
        String n = confs.get(i).getLayerName();
        return n == null || n.isBlank() ? "layer" + i : n.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /** A DL4J vertex name as a Keras layer name. */
    public static String safe(String n) {
        return n.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /** A network input as its first reader (and that reader's preprocessor) reads it, and its Keras batch shape. */
    public record Input(Flow flow, Long[] batchShape) {
    }

    /** The network inputs: the first layer of a Sequential model, or the first layer reading each graph input, says what it reads. */
    public List<Input> inputs(Path zip) {
        List<Input> inputInfo = new ArrayList<>();
        if (!graph) inputInfo.add(input(zip, 0));
        else for (String in : netInputs) {
            int reader = -1;
            for (int i = 0; i < confs.size() && reader < 0; i++) if (inputsOf.get(i).contains(in)) reader = i;
            if (reader < 0 || confs.get(reader) == null)
                throw new UnsupportedFeatureException(zip, List.of(new UnsupportedItem(in, "input", "input", "the network input must be read"
                        + " by a layer (not first by a merge vertex) for its shape to be known")));
            inputInfo.add(input(zip, reader));
        }
        return inputInfo;
    }

    private Input input(Path zip, int idx) {
        Layer first = confs.get(idx);
        InputPreProcessor p0 = pre.get(idx);
        boolean seqConvFirst = first instanceof Convolution1DLayer || first instanceof Subsampling1DLayer;
        if (first instanceof Convolution3D c3 && c3.getNIn() > 0) {
            boolean ncdhw = c3.getDataFormat() == Convolution3D.DataFormat.NCDHW;
            long ch = c3.getNIn();
            return new Input(Flow.volume(null, null, null, ch, ncdhw), ncdhw ? new Long[]{null, ch, null, null, null}
                    : new Long[]{null, null, null, null, ch});
        }
        boolean imageFirst = !seqConvFirst && (first instanceof ConvolutionLayer || first instanceof SubsamplingLayer
                || first instanceof ZeroPaddingLayer || first instanceof Cropping2D || first instanceof Upsampling2D);
        boolean flatImage = imageFirst && p0 instanceof FeedForwardToCnnPreProcessor;
        Layer firstInner = first instanceof LastTimeStep w ? w.getUnderlying() : first;
        if (firstInner instanceof Bidirectional bd) firstInner = bd.getFwd();
        if (!flatImage && (!(firstInner instanceof FeedForwardLayer ff) || ff.getNIn() <= 0))
            throw new UnsupportedFeatureException(zip, List.of(new UnsupportedItem(name(idx), first.getClass().getSimpleName(), "input",
                    "the first layer must be a feed-forward, recurrent or convolution layer with a known input size (or an image"
                            + " layer after DL4J's flat-input preprocessor)")));
        long nIn = firstInner instanceof FeedForwardLayer ff0 ? ff0.getNIn() : 0;
        boolean rnnFirst = firstInner instanceof SimpleRnn || firstInner instanceof LSTM l
                && (l.getClass() == LSTM.class || l instanceof org.kerasport.dl4j.layers.KerasLSTM);
        if (imageFirst && p0 instanceof FeedForwardToCnnPreProcessor f) {
            long flat = f.getInputHeight() * f.getInputWidth() * f.getNumChannels(); // the layer's preprocessor reshapes it
            return new Input(Flow.features(flat), new Long[]{null, flat});
        } else if (seqConvFirst) {
            boolean ncw = !(first instanceof Convolution1DLayer c1) || c1.getRnnDataFormat() != RNNFormat.NWC;
            return sequence(nIn, ncw);
        } else if (first.getClass() == EmbeddingLayer.class) {
            return new Input(Flow.features(1), new Long[]{null, 1L}); // one index per row
        } else if (first instanceof EmbeddingSequenceLayer e) {
            Long t = e.getInputLength() > 0 ? (long) e.getInputLength() : null;
            return new Input(Flow.sequence(1, false), new Long[]{null, t});
        } else if (rnnFirst) {
            return sequence(nIn, ((BaseRecurrentLayer) firstInner).getRnnDataFormat() != RNNFormat.NWC);
        } else if (imageFirst) {
            CNN2DFormat fmt = first instanceof ConvolutionLayer cv ? cv.getCnn2dDataFormat()
                    : first instanceof SubsamplingLayer sp ? sp.getCnn2dDataFormat() : CNN2DFormat.NCHW;
            boolean nchw = fmt == CNN2DFormat.NCHW;
            return new Input(Flow.image(null, null, nIn, nchw), nchw ? new Long[]{null, nIn, null, null} : new Long[]{null, null, null, nIn});
        }
        return new Input(Flow.features(nIn), new Long[]{null, nIn});
    }

    private static Input sequence(long nIn, boolean ncw) {
        return new Input(Flow.sequence(nIn, ncw), ncw ? new Long[]{null, nIn, null} : new Long[]{null, null, nIn});
    }
}
