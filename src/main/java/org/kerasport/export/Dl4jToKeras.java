package org.kerasport.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.kerasport.MalformedModelException;
import org.kerasport.UnsupportedFeatureException;
import org.kerasport.UnsupportedItem;
import org.kerasport.format.ConfigReader;
import org.kerasport.format.Json;
import org.kerasport.format.KerasWriter;
import org.kerasport.format.TrainingConfigParser;
import org.kerasport.format.WeightLayout;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.SourceInfo;
import org.kerasport.model.TrainingSpec;
import org.kerasport.model.WeightSpec;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * A model built in DL4J (a ModelSerializer zip without Kerasport's metadata) as a generated Keras 3 Sequential model:
 * the layers that have a Keras counterpart — DenseLayer and OutputLayer (Dense), DropoutLayer (Dropout),
 * ActivationLayer (Activation), ConvolutionLayer (Conv2D), SeparableConvolution2D, DepthwiseConvolution2D,
 * Deconvolution2D (Conv2DTranspose), SubsamplingLayer (Max/AveragePooling2D),
 * BatchNormalization, GlobalPoolingLayer, ZeroPadding/Cropping/Upsampling 2-D, DL4J's flat-input and flatten
 * preprocessors (Reshape), EmbeddingSequenceLayer (Embedding), LSTM, SimpleRnn and LastTimeStep of either (a Permute
 * first for DL4J's NCW input) — in a
 * MultiLayerNetwork or a single-chain ComputationGraph (a Sequential model), or any other ComputationGraph whose
 * vertices are those layers, MergeVertex (Concatenate) and ElementWiseVertex (Add, Subtract, Multiply, Average,
 * Maximum) (a Functional model, its layers in Keras' own order),
 * with their weights, L1/L2 regularizers (DL4J's L2 coefficient c is Keras' l2(c/2)), the updater (Adam, SGD,
 * Nesterov momentum) and the output layer's loss. Anything else is refused with every layer that has no counterpart.
 */
public final class Dl4jToKeras {
    /**
     * Every Keras class this export writes as a layer or model. {@link #config} refuses any other class (a programming
     * error), and ClassNameTablesTest checks each against LayerCatalog and the importer's MapperRegistry.
     */
    public static final java.util.Set<String> KERAS_CLASSES = java.util.Set.of("Functional", "Sequential", "InputLayer",
            "Dense", "Dropout", "Activation", "Embedding", "Reshape", "Permute", "RepeatVector", "Concatenate", "Add",
            "Subtract", "Multiply", "Average", "Maximum", "PReLU", "BatchNormalization", "UnitNormalization", "Rescaling",
            "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
            "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
            "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling1D",
            "GlobalAveragePooling2D", "GlobalAveragePooling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
            "Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D", "UpSampling3D", "Bidirectional",
            "LSTM", "SimpleRNN");

    private Dl4jToKeras() {
    }

    /** The generated model and what the user should know about it (e.g. an output laid out differently). */
    public record Generated(KerasModel model, List<String> notes) {
    }

    public static Generated generate(Path zip) {
        List<String> notes = new ArrayList<>();
        List<Layer> confs = new ArrayList<>();
        List<java.util.Map<String, INDArray>> params = new ArrayList<>();
        List<org.deeplearning4j.nn.conf.InputPreProcessor> pre = new ArrayList<>();
        // per node (a layer, or a merge vertex with a null layer): its DL4J vertex name, the vertex names it reads,
        // its merge vertex; a graph that is not one chain from one input to one output becomes a Functional model
        List<String> vertexNames = new ArrayList<>();
        List<List<String>> inputsOf = new ArrayList<>();
        List<org.deeplearning4j.nn.conf.graph.GraphVertex> mergeOf = new ArrayList<>();
        List<String> netInputs = new ArrayList<>(), netOutputs = new ArrayList<>();
        boolean graph = false;
        try {
            MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), false);
            for (int i = 0; i < net.getLayers().length; i++) {
                org.deeplearning4j.nn.api.Layer l = net.getLayers()[i];
                confs.add(net.getLayerWiseConfigurations().getConf(i).getLayer()); // the configuration keeps wrappers (LastTimeStep)
                params.add(l.paramTable());
                pre.add(net.getLayerWiseConfigurations().getInputPreProcess(i));
                mergeOf.add(null);
            }
        } catch (IOException | RuntimeException notMln) {
            try {
                ComputationGraph g = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
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
                        confs.add(vc instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv0 ? lv0.getLayerConf().getLayer() : v.getLayer().conf().getLayer());
                        params.add(v.getLayer().paramTable());
                        pre.add(vc instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv ? lv.getPreProcessor() : null);
                        mergeOf.add(null);
                    } else if (vc instanceof org.deeplearning4j.nn.conf.graph.MergeVertex
                            || vc instanceof org.deeplearning4j.nn.conf.graph.ElementWiseVertex
                            || vc instanceof org.deeplearning4j.nn.conf.graph.ScaleVertex
                            || vc instanceof org.deeplearning4j.nn.conf.graph.ShiftVertex
                            || vc instanceof org.deeplearning4j.nn.conf.graph.ReshapeVertex
                            || vc instanceof org.deeplearning4j.nn.conf.graph.L2NormalizeVertex) {
                        confs.add(null);
                        params.add(java.util.Map.of());
                        pre.add(null);
                        mergeOf.add(vc);
                    } else {
                        vertexProblems.add(new UnsupportedItem(v.getVertexName(), vc.getClass().getSimpleName(), "vertex",
                                "no generated Keras counterpart for DL4J's " + vc.getClass().getSimpleName()
                                        + " (MergeVertex, ElementWiseVertex, ScaleVertex, ShiftVertex, ReshapeVertex and L2NormalizeVertex have one)"));
                        continue;
                    }
                    vertexNames.add(v.getVertexName());
                    inputsOf.add(ins);
                }
                if (!vertexProblems.isEmpty()) throw unsupported(zip, vertexProblems);
                // one chain: one input, one output, every node reading the node before it (the first the input)
                graph = netInputs.size() != 1 || netOutputs.size() != 1 || mergeOf.stream().anyMatch(java.util.Objects::nonNull);
                for (int i = 0; i < vertexNames.size() && !graph; i++)
                    graph = !inputsOf.get(i).equals(List.of(i == 0 ? netInputs.get(0) : vertexNames.get(i - 1)));
                if (!graph && !netOutputs.get(0).equals(vertexNames.get(vertexNames.size() - 1))) graph = true;
            } catch (IOException | RuntimeException e) {
                if (e instanceof UnsupportedFeatureException u) throw u;
                throw new MalformedModelException(zip, "configuration.json", "not a DL4J MultiLayerNetwork or ComputationGraph: " + e.getMessage(), e);
            }
        }
        if (confs.isEmpty()) throw new MalformedModelException(zip, "configuration.json", "the DL4J model has no layers");
        // DL4J's transfer-learning wrappers: a layer that does not train (Keras trainable=False)
        List<Boolean> frozenFlags = new ArrayList<>();
        for (int i = 0; i < confs.size(); i++) {
            Layer c = confs.get(i);
            boolean frozen = true;
            if (c == null) frozen = false;
            else if (c instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer f) c = f.getLayer();
            else if (c instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop f) c = f.getUnderlying();
            else frozen = false;
            confs.set(i, c);
            frozenFlags.add(frozen);
        }
        List<Input> inputInfo = new ArrayList<>();
        if (!graph) inputInfo.add(guessInput(zip, confs.get(0), pre.get(0), 0));
        else for (String in : netInputs) { // the first layer reading the input says what it is
            int reader = -1;
            for (int i = 0; i < confs.size() && reader < 0; i++) if (inputsOf.get(i).contains(in)) reader = i;
            if (reader < 0 || confs.get(reader) == null)
                throw unsupported(zip, List.of(new UnsupportedItem(in, "input", "input", "the network input must be read by a layer"
                        + " (not first by a merge vertex) for its shape to be known")));
            inputInfo.add(guessInput(zip, confs.get(reader), pre.get(reader), reader));
        }
        Shape cur = inputInfo.get(0).shape(); // what flows between the layers
        Long[] inputShape = inputInfo.get(0).batchShape();
        List<UnsupportedItem> problems = new ArrayList<>();
        ObjectNode model = Json.object().put("module", "keras").put("class_name", graph ? "Functional" : "Sequential");
        ObjectNode mc = model.putObject("config").put("name", graph ? "functional" : "sequential").put("trainable", true);
        if (!graph) mc.put("dtype", "float32");
        ArrayNode layers = mc.putArray("layers");
        // Functional wiring: the Keras layer whose output is each DL4J vertex's output, and that tensor's shape
        java.util.Map<String, String> kerasOut = new java.util.HashMap<>();
        java.util.Map<String, Shape> shapeOf = new java.util.HashMap<>();
        for (int j = 0; j < (graph ? netInputs.size() : 1); j++) {
            String inName = graph ? safe(netInputs.get(j)) : "input_layer";
            ObjectNode input = layers.addObject().put("module", "keras.layers").put("class_name", "InputLayer");
            ObjectNode ic = input.putObject("config");
            shapeJson(ic.putArray("batch_shape"), inputInfo.get(j).batchShape());
            ic.put("dtype", "float32").put("sparse", false).put("name", inName);
            input.putNull("registered_name");
            if (graph) {
                input.put("name", inName).putArray("inbound_nodes");
                kerasOut.put(netInputs.get(j), inName);
                shapeOf.put(netInputs.get(j), inputInfo.get(j).shape());
            }
        }
        java.util.Map<String, String> losses = new java.util.LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        java.util.Set<IUpdater> updaters = new java.util.LinkedHashSet<>();
        for (int i = 0; i < confs.size(); i++) {
            int mark = layers.size();
            if (graph) cur = shapeOf.get(inputsOf.get(i).get(0));
            if (mergeOf.get(i) != null) {
                String name = safe(vertexNames.get(i));
                names.add(name);
                cur = merge(layers, mergeOf.get(i), name, inputsOf.get(i), shapeOf, problems);
                boolean many = mergeOf.get(i) instanceof org.deeplearning4j.nn.conf.graph.MergeVertex
                        || mergeOf.get(i) instanceof org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
                wire(layers, mark, inputsOf.get(i), kerasOut, shapeOf, many);
                kerasOut.put(vertexNames.get(i), name);
                shapeOf.put(vertexNames.get(i), cur);
                continue;
            }
            boolean isOutput = graph ? netOutputs.contains(vertexNames.get(i)) : i == confs.size() - 1;
            boolean readsInput = graph ? netInputs.contains(inputsOf.get(i).get(0)) : i == 0;
            body:
            {
            Layer c = confs.get(i);
            boolean frozen = frozenFlags.get(i);
            Layer inner = c instanceof org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep w ? w.getUnderlying()
                    : c instanceof org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional bdu ? bdu.getFwd()
                    : c instanceof org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed tdu ? tdu.getUnderlying() : c;
            if (!frozen && inner instanceof BaseLayer bl && !params.get(i).isEmpty() && bl.getIUpdater() != null) updaters.add(bl.getIUpdater());
            String name = name(c, i);
            names.add(name);
            String lossKey = graph ? vertexNames.get(i) : name; // losses by network output
            if (!cur.image() && pre.get(i) instanceof org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor f) {
                // DL4J's flat-input preprocessor: rows reshaped to [c, h, w] (the same memory order)
                ObjectNode r = layers.addObject().put("module", "keras.layers").put("class_name", "Reshape");
                r.putObject("config").put("name", name + "_reshape").put("trainable", true).put("dtype", "float32").putArray("target_shape")
                        .add(f.getNumChannels()).add(f.getInputHeight()).add(f.getInputWidth());
                r.putNull("registered_name");
                cur = new Shape(null, f.getInputHeight(), f.getInputWidth(), f.getNumChannels(), true, false);
            }
            if (cur.sequence() && c instanceof org.deeplearning4j.nn.conf.layers.RnnOutputLayer ro) {
                permuteToNwc(layers, cur, name);
                ObjectNode l = layers.addObject().put("module", "keras.layers");
                ObjectNode lc = config(l, "Dense", name); // Keras' Dense works on the last axis of [batch, time, features]
                lc.put("units", ro.getNOut());
                putActivation(lc, ro.getActivationFn(), name, "RnnOutputLayer", problems).put("use_bias", ro.hasBias());
                lc.set("kernel_regularizer", regularizer(ro.getRegularization(), name, "regularization", problems));
                lc.set("bias_regularizer", regularizer(ro.getRegularizationBias(), name, "regularizationBias", problems));
                if (frozen) lc.put("trainable", false);
                l.putNull("registered_name");
                if (!isOutput) problems.add(new UnsupportedItem(name, "RnnOutputLayer", "position", "an RnnOutputLayer must be a network output"));
                String lossName = loss(ro.getLossFn());
                losses.put(lossKey, lossName);
                if (lossName == null) problems.add(new UnsupportedItem(name, "RnnOutputLayer", "lossFn", "loss " + ro.getLossFn() + " has no Keras counterpart here"));
                if (ro.getRnnDataFormat() != org.deeplearning4j.nn.conf.RNNFormat.NWC)
                    notes.add("output '" + name + "': Keras returns [batch, time, " + ro.getNOut() + "] where DL4J (NCW) returns [batch, "
                            + ro.getNOut() + ", time]; the values are the same, transposed");
                cur = new Shape(null, null, null, ro.getNOut(), false, true);
                break body;
            }
            if (c instanceof org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep lt
                    && lt.getUnderlying() instanceof org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional) {
                problems.add(new UnsupportedItem(name, "LastTimeStep", "underlying", "LastTimeStep(Bidirectional) takes the backward layer's"
                        + " output at the last time step, Keras' Bidirectional(return_sequences=False) its final state: no Keras counterpart"));
                break body;
            }
            boolean ffLayer = c instanceof DenseLayer || c instanceof OutputLayer;
            // DL4J's DenseLayer on a sequence (through its RnnToFeedForward preprocessor, or under TimeDistributed) applies
            // to every time step, as Keras' Dense on [batch, time, features] does; an OutputLayer there scores every
            // step as an example: none
            boolean timeDistributed = cur.sequence() && c instanceof org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed td
                    && td.getUnderlying() instanceof DenseLayer;
            if (timeDistributed) {
                c = ((org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed) c).getUnderlying();
                ffLayer = true;
            }
            boolean seqDense = ffLayer && cur.sequence() && c instanceof DenseLayer && (timeDistributed
                    || pre.get(i) instanceof org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor);
            if (ffLayer && cur.sequence() && !seqDense) {
                problems.add(new UnsupportedItem(name, c.getClass().getSimpleName(), "input", "an output layer on sequences (each time"
                        + " step scored as an example) has no Keras counterpart; use an RnnOutputLayer, or LastTimeStep before it"));
                break body;
            }
            if (ffLayer && cur.volume()) { // DL4J's Cnn3DToFeedForwardPreProcessor flattens in memory order too
                if (!(pre.get(i) instanceof org.deeplearning4j.nn.conf.preprocessor.Cnn3DToFeedForwardPreProcessor cf)) {
                    problems.add(new UnsupportedItem(name, c.getClass().getSimpleName(), "preprocessor", "a dense layer after volumes without DL4J's Cnn3DToFeedForwardPreProcessor"));
                    break body;
                }
                long n = (long) cf.getInputDepth() * cf.getInputHeight() * cf.getInputWidth() * cf.getNumChannels();
                ObjectNode r = layers.addObject().put("module", "keras.layers").put("class_name", "Reshape");
                r.putObject("config").put("name", name + "_flatten").put("trainable", true).put("dtype", "float32").putArray("target_shape").add(n);
                r.putNull("registered_name");
                cur = new Shape(n, null, null, 0, false, false);
            }
            if (ffLayer && cur.image()) { // DL4J's CnnToFeedForwardPreProcessor flattens in memory order: a Reshape does the same
                if (!(pre.get(i) instanceof org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor cf)) {
                    problems.add(new UnsupportedItem(name, c.getClass().getSimpleName(), "preprocessor", "a dense layer after images without DL4J's CnnToFeedForwardPreProcessor"));
                    break body;
                }
                long n = cf.getInputHeight() * cf.getInputWidth() * cf.getNumChannels();
                ObjectNode r = layers.addObject().put("module", "keras.layers").put("class_name", "Reshape");
                r.putObject("config").put("name", name + "_flatten").put("trainable", true).put("dtype", "float32").putArray("target_shape").add(n);
                r.putNull("registered_name");
                cur = new Shape(n, null, null, 0, false, false);
            }
            long width = cur.width() == null ? 0 : cur.width();
            ObjectNode l = layers.addObject().put("module", "keras.layers");
            ObjectNode lc;
            Emitted emitted;
            if (ffLayer) {
                BaseLayer b = (BaseLayer) c;
                var ffl = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) c;
                if (seqDense) {
                    permuteToNwc(layers, cur, name);
                    width = cur.channels();
                }
                if (c instanceof DenseLayer d && d.hasLayerNorm())
                    problems.add(new UnsupportedItem(name, "DenseLayer", "hasLayerNorm", "a DenseLayer with layer normalization has no Keras Dense counterpart"));
                if (b.getIDropout() != null)
                    problems.add(new UnsupportedItem(name, c.getClass().getSimpleName(), "dropOut", "dropout inside a layer: use a DropoutLayer"));
                lc = config(l, "Dense", name);
                lc.put("units", ffl.getNOut());
                putActivation(lc, b.getActivationFn(), name, c.getClass().getSimpleName(), problems);
                boolean bias = !(c instanceof DenseLayer d2) || d2.hasBias();
                if (c instanceof OutputLayer o) bias = o.hasBias();
                lc.put("use_bias", bias);
                lc.set("kernel_regularizer", regularizer(b.getRegularization(), name, "regularization", problems));
                lc.set("bias_regularizer", regularizer(b.getRegularizationBias(), name, "regularizationBias", problems));
                if (c instanceof OutputLayer o) {
                    if (!isOutput)
                        problems.add(new UnsupportedItem(name, "OutputLayer", "position", "an OutputLayer must be a network output"));
                    String lossName = loss(o.getLossFn());
                    losses.put(lossKey, lossName);
                    if (lossName == null) problems.add(new UnsupportedItem(name, "OutputLayer", "lossFn",
                            "loss " + o.getLossFn() + " has no Keras counterpart here"));
                }
                if (ffl.getNIn() != width)
                    problems.add(new UnsupportedItem(name, c.getClass().getSimpleName(), "nIn", "nIn " + ffl.getNIn() + " after a layer of width " + width));
                cur = seqDense ? new Shape(null, null, null, ffl.getNOut(), false, true) : new Shape(ffl.getNOut(), null, null, 0, false, false);
            } else if (c instanceof DropoutLayer d) {
                lc = config(l, "Dropout", name);
                if (d.getIDropout() instanceof Dropout dd && dd.getPSchedule() == null)
                    lc.put("rate", 1 - dd.getP()); // DL4J's p is the probability of KEEPING an activation
                else problems.add(new UnsupportedItem(name, "DropoutLayer", "dropOut", "only plain Dropout(p) has a Keras counterpart"));
            } else if (c instanceof ActivationLayer a) {
                lc = config(l, "Activation", name);
                putActivation(lc, a.getActivationFn(), name, "ActivationLayer", problems);
            } else if (cur.image() && (emitted = imageLayer(c, l, name, cur, layers, problems)) != null) {
                if (emitted.lc() == null) break body;
                lc = emitted.lc();
                cur = emitted.cur();
            } else if (cur.sequence() && c instanceof org.deeplearning4j.nn.conf.layers.Convolution1DLayer cv) {
                lc = config(l, "Conv1D", name);
                lc.put("filters", cv.getNOut());
                lc.putArray("kernel_size").add(cv.getKernelSize()[0]);
                lc.putArray("strides").add(cv.getStride()[0]);
                String pad = cv.getConvolutionMode() == org.deeplearning4j.nn.conf.ConvolutionMode.Causal ? "causal"
                        : padding(cv.getConvolutionMode(), cv.getPadding(), name, problems);
                lc.put("padding", pad);
                lc.put("data_format", cur.nchw() ? "channels_first" : "channels_last");
                lc.putArray("dilation_rate").add(cv.getDilation()[0]);
                lc.put("groups", 1);
                putActivation(lc, cv.getActivationFn(), name, "Convolution1DLayer", problems).put("use_bias", cv.hasBias());
                lc.set("kernel_regularizer", regularizer(cv.getRegularization(), name, "regularization", problems));
                lc.set("bias_regularizer", regularizer(cv.getRegularizationBias(), name, "regularizationBias", problems));
                cur = new Shape(null, null, null, cv.getNOut(), cur.nchw(), true);
            } else if (cur.sequence() && c instanceof org.deeplearning4j.nn.conf.layers.Subsampling1DLayer sp) {
                lc = pooling(l, name, "Subsampling1DLayer", sp.getPoolingType(), sp.getKernelSize(), sp.getStride(),
                        padding(sp.getConvolutionMode(), sp.getPadding(), name, problems), 1, cur, problems);
            } else if (cur.sequence() && readsInput && c instanceof org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer e) {
                lc = config(l, "Embedding", name);
                lc.put("input_dim", e.getNIn()).put("output_dim", e.getNOut()).put("mask_zero", false);
                lc.set("embeddings_regularizer", regularizer(e.getRegularization(), name, "regularization", problems));
                if (e.hasBias()) problems.add(new UnsupportedItem(name, "EmbeddingSequenceLayer", "hasBias", "an embedding with a bias has no Keras counterpart"));
                String act = activation(e.getActivationFn());
                if (!"linear".equals(act)) problems.add(new UnsupportedItem(name, "EmbeddingSequenceLayer", "activation", "an embedding with an activation has no Keras counterpart"));
                cur = new Shape(null, null, null, e.getNOut(), false, true); // Keras' Embedding output is [batch, time, features]
            } else if (cur.volume() && (emitted = volumeLayer(c, l, name, cur, layers, problems)) != null) {
                if (emitted.lc() == null) break body;
                lc = emitted.lc();
                cur = emitted.cur();
            } else if (cur.sequence() && (c instanceof org.deeplearning4j.nn.conf.layers.ZeroPadding1DLayer
                    || c instanceof org.deeplearning4j.nn.conf.layers.convolutional.Cropping1D
                    || c instanceof org.deeplearning4j.nn.conf.layers.Upsampling1D)) {
                permuteToNwc(layers, cur, name); // Keras' 1-D padding, cropping and up-sampling work on [batch, time, features]
                if (c instanceof org.deeplearning4j.nn.conf.layers.ZeroPadding1DLayer z) {
                    lc = config(l, "ZeroPadding1D", name);
                    lc.putArray("padding").add(z.getPadding()[0]).add(z.getPadding()[1]);
                } else if (c instanceof org.deeplearning4j.nn.conf.layers.convolutional.Cropping1D cr) {
                    lc = config(l, "Cropping1D", name);
                    lc.putArray("cropping").add(cr.getCropping()[0]).add(cr.getCropping()[1]);
                } else {
                    lc = config(l, "UpSampling1D", name);
                    lc.put("size", ((org.deeplearning4j.nn.conf.layers.Upsampling1D) c).getSize()[0]);
                }
                cur = new Shape(null, null, null, cur.channels(), false, true);
            } else if (!cur.sequence() && !cur.image() && c instanceof org.deeplearning4j.nn.conf.layers.misc.RepeatVector rv) {
                lc = config(l, "RepeatVector", name);
                lc.put("n", rv.getN());
                cur = new Shape(null, null, null, width, false, true); // Keras: [batch, n, features]
            } else if (!cur.sequence() && !cur.image() && readsInput && c.getClass() == org.deeplearning4j.nn.conf.layers.EmbeddingLayer.class) {
                var e = (org.deeplearning4j.nn.conf.layers.EmbeddingLayer) c;
                lc = config(l, "Embedding", name);
                lc.put("input_dim", e.getNIn()).put("output_dim", e.getNOut()).put("mask_zero", false);
                lc.set("embeddings_regularizer", regularizer(e.getRegularization(), name, "regularization", problems));
                if (e.hasBias()) problems.add(new UnsupportedItem(name, "EmbeddingLayer", "hasBias", "an embedding with a bias has no Keras counterpart"));
                if (!"linear".equals(activation(e.getActivationFn())))
                    problems.add(new UnsupportedItem(name, "EmbeddingLayer", "activation", "an embedding with an activation has no Keras counterpart"));
                // DL4J: one index per row -> [batch, n]; Keras: [batch, 1] -> [batch, 1, n], flattened after
                ObjectNode r = layers.addObject().put("module", "keras.layers").put("class_name", "Reshape");
                r.putObject("config").put("name", name + "_flatten").put("trainable", true).put("dtype", "float32").putArray("target_shape").add(e.getNOut());
                r.putNull("registered_name");
                cur = new Shape(e.getNOut(), null, null, 0, false, false);
            } else if (cur.sequence() && (emitted = recurrentLayer(c, l, name, cur, layers, problems)) != null) {
                if (emitted.lc() == null) break body;
                lc = emitted.lc();
                cur = emitted.cur();
            } else if (!cur.sequence() && c instanceof org.deeplearning4j.nn.conf.layers.PReLULayer pr) {
                lc = config(l, "PReLU", name);
                lc.set("alpha_regularizer", regularizer(pr.getRegularization(), name, "regularization", problems));
                ArrayNode shared = lc.putArray("shared_axes"); // 1-based over the non-batch axes in both
                if (pr.getSharedAxes() != null) for (long a : pr.getSharedAxes()) shared.add(a);
                if (shared.isEmpty()) lc.putNull("shared_axes");
            } else if (c instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization bn) {
                lc = config(l, "BatchNormalization", name);
                lc.put("axis", (cur.image() || cur.volume()) && cur.nchw() ? 1 : -1);
                lc.put("momentum", bn.getDecay());
                lc.put("epsilon", bn.getEps());
                lc.put("center", true).put("scale", true);
                if (bn.isLockGammaBeta()) problems.add(new UnsupportedItem(name, "BatchNormalization", "lockGammaBeta", "locked gamma/beta"));
                if (bn.getRegularization() != null && !bn.getRegularization().isEmpty() || bn.getRegularizationBias() != null && !bn.getRegularizationBias().isEmpty())
                    problems.add(new UnsupportedItem(name, "BatchNormalization", "regularization", "regularized gamma/beta are not generated yet"));
            } else if (cur.sequence() && c instanceof org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer gp) {
                emitted = globalPooling(gp, l, name, cur, problems, 1);
                lc = emitted.lc();
                cur = emitted.cur();
            } else if (!cur.sequence() && !cur.image() && !cur.volume() && c.getClass() == org.deeplearning4j.nn.conf.layers.LossLayer.class
                    || cur.sequence() && c instanceof org.deeplearning4j.nn.conf.layers.RnnLossLayer) {
                // no parameters: the activation as a layer, the loss in the compile config
                IActivation a = c instanceof org.deeplearning4j.nn.conf.layers.LossLayer ll ? ll.getActivationFn()
                        : ((org.deeplearning4j.nn.conf.layers.RnnLossLayer) c).getActivationFn();
                ILossFunction f = c instanceof org.deeplearning4j.nn.conf.layers.LossLayer ll2 ? ll2.getLossFn()
                        : ((org.deeplearning4j.nn.conf.layers.RnnLossLayer) c).getLossFn();
                if (cur.sequence()) permuteToNwc(layers, cur, name);
                lc = config(l, "Activation", name);
                putActivation(lc, a, name, c.getClass().getSimpleName(), problems);
                if (!isOutput) problems.add(new UnsupportedItem(name, c.getClass().getSimpleName(), "position", "a loss layer must be a network output"));
                String lossName = loss(f);
                losses.put(lossKey, lossName);
                if (lossName == null) problems.add(new UnsupportedItem(name, c.getClass().getSimpleName(), "lossFn", "loss " + f + " has no Keras counterpart here"));
                if (c instanceof org.deeplearning4j.nn.conf.layers.RnnLossLayer rl && rl.getRnnDataFormat() != org.deeplearning4j.nn.conf.RNNFormat.NWC)
                    notes.add("output '" + name + "': Keras returns [batch, time, " + cur.channels() + "] where DL4J (NCW) returns [batch, "
                            + cur.channels() + ", time]; the values are the same, transposed");
                if (cur.sequence()) cur = new Shape(null, null, null, cur.channels(), false, true);
            } else {
                problems.add(new UnsupportedItem(name, c.getClass().getSimpleName(), "class",
                        "no generated Keras counterpart for DL4J's " + c.getClass().getSimpleName() + " yet (Dense, Output, Dropout,"
                                + " Activation, Convolution (2-D, separable, depthwise, transposed), Subsampling, BatchNormalization, GlobalPooling,"
                                + " recurrent and the other layers in the README's export table have one)"));
                break body;
            }
            if (frozen) lc.put("trainable", false);
            l.putNull("registered_name");
            }
            if (graph) {
                wire(layers, mark, inputsOf.get(i), kerasOut, shapeOf, false);
                if (layers.size() > mark) kerasOut.put(vertexNames.get(i), layers.get(layers.size() - 1).get("name").asText());
                shapeOf.put(vertexNames.get(i), cur);
            }
        }
        if (graph) {
            // every layer channels-last (ChannelsLast): a permuted output gets a Permute back, which becomes the output
            List<String> outs = problems.isEmpty()
                    ? ChannelsLast.functional(layers, netOutputs.stream().map(kerasOut::get).toList())
                    : netOutputs.stream().map(kerasOut::get).toList();
            kerasOrder(layers, netInputs.stream().map(kerasOut::get).toList(), outs);
            ArrayNode il = mc.putArray("input_layers"), ol = mc.putArray("output_layers");
            for (String in : netInputs) il.addArray().add(kerasOut.get(in)).add(0).add(0);
            for (String out : outs) {
                if (out == null) continue; // refused above
                ol.addArray().add(out).add(0).add(0);
            }
        } else if (problems.isEmpty()) {
            ChannelsLast.sequential(layers);
        }
        if (!problems.isEmpty()) throw unsupported(zip, problems);
        IUpdater updater = updaters.size() == 1 ? updaters.iterator().next() : null; // layers with different updaters: no one Keras optimizer
        model.putNull("registered_name");
        if (!graph) shapeJson(model.putObject("build_config").putArray("input_shape"), inputShape);
        com.fasterxml.jackson.databind.JsonNode loss = null; // one loss, or one per output in the outputs' order
        if (!graph) {
            String only = losses.isEmpty() ? null : losses.values().iterator().next();
            if (only != null) loss = com.fasterxml.jackson.databind.node.TextNode.valueOf(only);
        } else if (netOutputs.stream().allMatch(o -> losses.get(o) != null)) {
            ArrayNode a = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
            for (String o : netOutputs) a.add(losses.get(o));
            loss = netOutputs.size() == 1 ? a.get(0) : a;
        } else if (!losses.isEmpty()) {
            notes.add("not every network output is an output layer with a loss: the model is saved uncompiled");
        }
        ObjectNode compile = compileConfig(updater, loss);
        if (compile != null) model.set("compile_config", compile);

        ConfigReader cr = new ConfigReader(zip, KerasWriter.KERAS_VERSION);
        KerasGraph kg = cr.readModel(model);
        WeightLayout layout = cr.weightLayout();
        List<LayerSpec> specs = new ArrayList<>();
        for (LayerSpec l : kg.layers()) {
            int idx = names.indexOf(l.name());
            List<WeightSpec> ws = new ArrayList<>();
            List<WeightLayout.Expected> expected = idx < 0 ? null : layout.expected(l);
            if (expected != null)
                for (WeightLayout.Expected e : expected) {
                    INDArray p;
                    if (confs.get(idx) instanceof org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional bd) {
                        // forward_<name>.<cell weight> from DL4J's f-prefixed parameters, backward_ from the b-prefixed
                        String prefix = e.name().startsWith("backward_") ? "b" : "f";
                        java.util.Map<String, INDArray> dir = new java.util.HashMap<>();
                        params.get(idx).forEach((k2, v2) -> { if (k2.startsWith(prefix)) dir.put(k2.substring(1), v2); });
                        p = kerasValue(lstm(bd.getFwd()) != null ? "LSTM" : "SimpleRNN", e.name(), dir, bd.getFwd());
                    } else {
                        p = kerasValue(l.className(), e.name(), params.get(idx), confs.get(idx));
                    }
                    if (p == null) throw new MalformedModelException(zip, "coefficients.bin", "no DL4J parameter for " + l.name() + "/" + e.name());
                    float[] data = org.kerasport.dl4j.NdArrays.floats(p);
                    ws.add(new WeightSpec(e.name(), e.role(), p.shape(), "float32", data, e.trainable(), e.regularizer(), null));
                }
            specs.add(l.withWeights(ws));
        }
        kg = new KerasGraph(kg.className(), kg.name(), specs, kg.inputs(), kg.outputs());
        TrainingSpec training = compile == null ? null : new TrainingConfigParser(zip).parse(compile, kg.outputs(), "compile_config");
        SourceInfo info = new SourceInfo(zip.toString(), "dl4j-zip", KerasWriter.KERAS_VERSION, "tensorflow", sha256(zip), null);
        return new Generated(new KerasModel(kg, training, info, List.of(), model, List.of()), notes);
    }

    /** A DL4J vertex name as a Keras layer name. */
    private static String safe(String n) {
        return n.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /**
     * DL4J's MergeVertex (Concatenate on the channel or feature axis) or ElementWiseVertex (Add, Subtract, Multiply,
     * Average, Maximum) as a Keras merge layer; returns the merged shape.
     */
    private static Shape merge(ArrayNode layers, org.deeplearning4j.nn.conf.graph.GraphVertex v, String name, List<String> inputs,
                               java.util.Map<String, Shape> shapeOf, List<UnsupportedItem> problems) {
        List<Shape> in = new ArrayList<>();
        for (String i : inputs) in.add(shapeOf.get(i));
        Shape first = in.get(0);
        for (Shape sh : in)
            if (sh == null || sh.image() != first.image() || sh.sequence() != first.sequence() || sh.nchw() != first.nchw())
                problems.add(new UnsupportedItem(name, v.getClass().getSimpleName(), "inputs", "inputs of different kinds or layouts " + in));
        ObjectNode l = layers.addObject().put("module", "keras.layers");
        ObjectNode lc;
        Shape out = first;
        if (v instanceof org.deeplearning4j.nn.conf.graph.L2NormalizeVertex nv) {
            // DL4J: x / max(|x|, eps); Keras: x / max(|x|, 1e-6): the same for any vector whose norm is above both
            lc = config(l, "UnitNormalization", name);
            lc.put("axis", -1);
            int[] dims = nv.getDimension();
            boolean flat = !first.image() && !first.sequence() && !first.volume();
            if (!flat || dims != null && dims.length > 0 && !(dims.length == 1 && dims[0] == 1))
                problems.add(new UnsupportedItem(name, "L2NormalizeVertex", "dimension", "only the normalization of feature vectors has a"
                        + " Keras counterpart here"));
        } else if (v instanceof org.deeplearning4j.nn.conf.graph.ScaleVertex || v instanceof org.deeplearning4j.nn.conf.graph.ShiftVertex) {
            lc = config(l, "Rescaling", name); // x * scale + offset
            lc.put("scale", v instanceof org.deeplearning4j.nn.conf.graph.ScaleVertex sv ? sv.getScaleFactor() : 1.0);
            lc.put("offset", v instanceof org.deeplearning4j.nn.conf.graph.ShiftVertex hv ? hv.getShiftFactor() : 0.0);
        } else if (v instanceof org.deeplearning4j.nn.conf.graph.ReshapeVertex rv) {
            // DL4J's new shape includes the batch dimension (-1); Keras' target shape does not. The result is read as
            // DL4J's layers read it: [batch, n] features, [batch, c, t] sequences, [batch, c, h, w] images
            int[] ns = rv.getNewShape();
            lc = config(l, "Reshape", name);
            ArrayNode t = lc.putArray("target_shape");
            for (int d = 1; d < ns.length; d++) t.add(ns[d]);
            if (rv.getReshapeOrder() != 'c' || ns.length < 2 || ns.length > 4 || ns[0] > 0 || rv.getMaskShape() != null)
                problems.add(new UnsupportedItem(name, "ReshapeVertex", "newShape", "only a row-major reshape of every example"
                        + " (new shape [-1, ...] of rank 2 to 4, no mask) has a Keras counterpart"));
            out = ns.length == 2 ? new Shape((long) ns[1], null, null, 0, false, false)
                    : ns.length == 3 ? new Shape(null, null, null, ns.length > 1 ? ns[1] : 0, true, true)
                    : new Shape(null, ns.length > 2 ? (long) ns[2] : null, ns.length > 3 ? (long) ns[3] : null, ns[1], true, false);
        } else if (v instanceof org.deeplearning4j.nn.conf.graph.MergeVertex) {
            lc = config(l, "Concatenate", name);
            boolean flat = !first.image() && !first.sequence();
            // the channel axis: DL4J merges on dimension 1 (features, channels of NCHW/NCW) or the last one (NHWC/NWC)
            lc.put("axis", flat || !first.nchw() ? -1 : 1);
            long sum = 0;
            for (Shape sh : in) sum += flat ? (sh.width() == null ? 0 : sh.width()) : sh.channels();
            out = flat ? new Shape(sum, null, null, 0, false, false)
                    : new Shape(null, first.height(), first.imgWidth(), sum, first.nchw(), first.sequence());
        } else {
            var op = ((org.deeplearning4j.nn.conf.graph.ElementWiseVertex) v).getOp();
            String cls = switch (op) {
                case Add -> "Add";
                case Subtract -> "Subtract";
                case Product -> "Multiply";
                case Average -> "Average";
                case Max -> "Maximum";
            };
            if (op == org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Subtract && in.size() != 2)
                problems.add(new UnsupportedItem(name, "ElementWiseVertex", "op", "Keras' Subtract takes exactly two inputs"));
            lc = config(l, cls, name);
        }
        l.putNull("registered_name");
        return out;
    }

    /**
     * Functional wiring for the Keras layers emitted for one DL4J vertex (from index {@code from} on): the first reads
     * the vertex's inputs (a list of tensors for a merge layer), each further one the layer before it.
     */
    private static void wire(ArrayNode layers, int from, List<String> inputs, java.util.Map<String, String> kerasOut,
                             java.util.Map<String, Shape> shapeOf, boolean list) {
        for (int j = from; j < layers.size(); j++) {
            ObjectNode e = (ObjectNode) layers.get(j);
            e.put("name", e.get("config").get("name").asText());
            ArrayNode args = e.putArray("inbound_nodes").addObject().putArray("args");
            if (j == from) {
                ArrayNode target = list ? args.addArray() : args;
                for (String in : inputs) target.add(tensor(kerasOut.get(in), shapeOf.get(in)));
            } else {
                args.add(tensor(layers.get(j - 1).get("name").asText(), null));
            }
            ((ObjectNode) e.get("inbound_nodes").get(0)).putObject("kwargs");
        }
    }

    /**
     * Puts the Functional layers in the order Keras 3 gives {@code model.layers} (keras/src/ops/function.py map_graph:
     * by depth from the outputs, deepest first, ties in the order a depth-first walk from the outputs first meets
     * them), which is the order the weight file's entries must follow.
     */
    private static void kerasOrder(ArrayNode layers, List<String> inputs, List<String> outputs) {
        java.util.Map<String, ObjectNode> byName = new java.util.LinkedHashMap<>();
        java.util.Map<String, List<String>> parents = new java.util.HashMap<>();
        for (var e : layers) {
            String n = e.get("name").asText();
            byName.put(n, (ObjectNode) e);
            List<String> ps = new ArrayList<>();
            for (var node : e.get("inbound_nodes")) collectHistory(node.get("args"), ps);
            parents.put(n, ps);
        }
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        List<String> post = new ArrayList<>();
        java.util.Set<String> done = new java.util.HashSet<>();
        for (String o : outputs) visit(o, parents, index, post, done);
        java.util.Map<String, Integer> depth = new java.util.HashMap<>();
        for (int i = post.size() - 1; i >= 0; i--) {
            String n = post.get(i);
            int d = depth.computeIfAbsent(n, x -> 0);
            for (String p : parents.get(n)) depth.merge(p, d + 1, Math::max);
        }
        for (String in : inputs)
            if (!depth.containsKey(in)) {
                depth.put(in, 0);
                index.put(in, -1);
            }
        List<String> order = new ArrayList<>(depth.keySet());
        order.sort(java.util.Comparator.<String>comparingInt(depth::get).reversed().thenComparingInt(index::get));
        for (String n : byName.keySet()) if (!depth.containsKey(n)) order.add(n); // not on the way to an output
        layers.removeAll();
        for (String n : order) layers.add(byName.get(n));
    }

    private static void visit(String n, java.util.Map<String, List<String>> parents, java.util.Map<String, Integer> index,
                              List<String> post, java.util.Set<String> done) {
        if (done.contains(n) || !parents.containsKey(n)) return;
        index.putIfAbsent(n, index.size());
        for (String p : parents.get(n)) visit(p, parents, index, post, done);
        done.add(n);
        post.add(n);
    }

    private static void collectHistory(com.fasterxml.jackson.databind.JsonNode n, List<String> out) {
        if (n == null) return;
        if (n.isArray()) for (var c : n) collectHistory(c, out);
        else if (n.isObject() && n.has("config") && n.get("config").has("keras_history"))
            out.add(n.get("config").get("keras_history").get(0).asText());
    }

    /** A Keras 3 {@code __keras_tensor__} reference to a layer's output (Keras replaces it by the real tensor). */
    private static ObjectNode tensor(String layer, Shape shape) {
        ObjectNode t = Json.object().put("class_name", "__keras_tensor__");
        ObjectNode c = t.putObject("config");
        ArrayNode sh = c.putArray("shape");
        sh.addNull();
        if (shape == null) sh.addNull();
        else if (shape.volume()) {
            if (shape.nchw()) sh.add(shape.channels());
            nullable(sh, shape.depth()); nullable(sh, shape.height()); nullable(sh, shape.imgWidth());
            if (!shape.nchw()) sh.add(shape.channels());
        }
        else if (!shape.image() && !shape.sequence()) sh.add(shape.width());
        else if (shape.sequence()) { if (shape.nchw()) sh.add(shape.channels()).addNull(); else sh.addNull().add(shape.channels()); }
        else if (shape.nchw()) { sh.add(shape.channels()); nullable(sh, shape.height()); nullable(sh, shape.imgWidth()); }
        else { nullable(sh, shape.height()); nullable(sh, shape.imgWidth()); sh.add(shape.channels()); }
        c.put("dtype", "float32");
        c.putArray("keras_history").add(layer).add(0).add(0);
        return t;
    }

    private static void nullable(ArrayNode a, Long v) {
        if (v == null) a.addNull(); else a.add(v);
    }

    /** A network input as its first layer (and that layer's preprocessor) reads it. */
    private record Input(Shape shape, Long[] batchShape) {
    }

    private static Input guessInput(Path zip, Layer first, org.deeplearning4j.nn.conf.InputPreProcessor p0, int idx) {
        boolean seqConvFirst = first instanceof org.deeplearning4j.nn.conf.layers.Convolution1DLayer
                || first instanceof org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
        if (first instanceof org.deeplearning4j.nn.conf.layers.Convolution3D c3 && c3.getNIn() > 0) {
            boolean ncdhw = c3.getDataFormat() == org.deeplearning4j.nn.conf.layers.Convolution3D.DataFormat.NCDHW;
            long ch = c3.getNIn();
            return new Input(Shape.volume(null, null, null, ch, ncdhw), ncdhw ? new Long[]{null, ch, null, null, null}
                    : new Long[]{null, null, null, null, ch});
        }
        boolean imageFirst = !seqConvFirst && (first instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer
                || first instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer
                || first instanceof org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer
                || first instanceof org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D
                || first instanceof org.deeplearning4j.nn.conf.layers.Upsampling2D);
        boolean flatImage = imageFirst && p0 instanceof org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
        Layer firstInner = first instanceof org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep w ? w.getUnderlying() : first;
        if (firstInner instanceof org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional bd) firstInner = bd.getFwd();
        if (!flatImage && (!(firstInner instanceof org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff) || ff.getNIn() <= 0))
            throw unsupported(zip, List.of(new UnsupportedItem(name(first, idx), first.getClass().getSimpleName(), "input",
                    "the first layer must be a feed-forward, recurrent or convolution layer with a known input size (or an image"
                            + " layer after DL4J's flat-input preprocessor)")));
        long nIn = firstInner instanceof org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff0 ? ff0.getNIn() : 0;
        Layer firstRnn = recurrent(firstInner);
        boolean embeddingFirst = first instanceof org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
        Shape cur;
        Long[] inputShape;
        if (imageFirst && p0 instanceof org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor f) {
            long flat = f.getInputHeight() * f.getInputWidth() * f.getNumChannels(); // the layer's preprocessor reshapes it
            cur = new Shape(flat, null, null, 0, false, false);
            inputShape = new Long[]{null, flat};
        } else if (seqConvFirst) {
            boolean ncw = !(first instanceof org.deeplearning4j.nn.conf.layers.Convolution1DLayer c1)
                    || c1.getRnnDataFormat() != org.deeplearning4j.nn.conf.RNNFormat.NWC;
            cur = new Shape(null, null, null, nIn, ncw, true);
            inputShape = ncw ? new Long[]{null, nIn, null} : new Long[]{null, null, nIn};
        } else if (first.getClass() == org.deeplearning4j.nn.conf.layers.EmbeddingLayer.class) {
            cur = new Shape(1L, null, null, 0, false, false); // one index per row
            inputShape = new Long[]{null, 1L};
        } else if (embeddingFirst) {
            var e = (org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer) first;
            Long t = e.getInputLength() > 0 ? (long) e.getInputLength() : null;
            cur = new Shape(null, null, null, 1, false, true);
            inputShape = new Long[]{null, t};
        } else if (firstRnn != null) {
            long f = ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) firstRnn).getNIn();
            nIn = f;
            boolean ncw = ((org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer) firstRnn).getRnnDataFormat() != org.deeplearning4j.nn.conf.RNNFormat.NWC;
            cur = new Shape(null, null, null, nIn, ncw, true);
            inputShape = ncw ? new Long[]{null, nIn, null} : new Long[]{null, null, nIn};
        } else if (imageFirst) {
            boolean nchw = format(first) == org.deeplearning4j.nn.conf.CNN2DFormat.NCHW;
            cur = new Shape(null, null, null, nIn, nchw, false);
            inputShape = nchw ? new Long[]{null, nIn, null, null} : new Long[]{null, null, null, nIn};
        } else {
            cur = new Shape(nIn, null, null, 0, false, false);
            inputShape = new Long[]{null, nIn};
        }

        return new Input(cur, inputShape);
    }

    /** What flows between layers: a feature vector (width) or an image (height and width may be unknown). */
    /** A layer's Keras config (null: no Keras counterpart, the problem recorded) and the shape of its output. */
    private record Emitted(ObjectNode lc, Shape cur) {
    }

    /**
     * Max/AveragePooling{1,2,3}D's config (the first {@code dims} sizes and strides); any other pooling type, and
     * average pooling with padding (Keras leaves the padding out of the divisor), is recorded as a problem.
     */
    private static ObjectNode pooling(ObjectNode l, String name, String dl4jClass, org.deeplearning4j.nn.conf.layers.PoolingType type,
            int[] kernel, int[] stride, String pad, int dims, Shape cur, List<UnsupportedItem> problems) {
        boolean max = type == org.deeplearning4j.nn.conf.layers.PoolingType.MAX;
        if (!max && !(type == org.deeplearning4j.nn.conf.layers.PoolingType.AVG && pad.equals("valid")))
            problems.add(new UnsupportedItem(name, dl4jClass, "poolingType", type + " pooling"
                    + (pad.equals("same") ? " with 'same' padding" : "") + " has no Keras counterpart here"));
        ObjectNode lc = config(l, (max ? "MaxPooling" : "AveragePooling") + dims + "D", name);
        ArrayNode size = lc.putArray("pool_size"), strides = lc.putArray("strides");
        for (int i = 0; i < dims; i++) {
            size.add(kernel[i]);
            strides.add(stride[i]);
        }
        lc.put("padding", pad).put("data_format", cur.nchw() ? "channels_first" : "channels_last");
        return lc;
    }

    /** GlobalMax/AveragePooling{1,2,3}D over a sequence, image or volume: [batch, channels] out. */
    private static Emitted globalPooling(org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer gp, ObjectNode l, String name, Shape cur,
            List<UnsupportedItem> problems, int dims) {
        boolean max = gp.getPoolingType() == org.deeplearning4j.nn.conf.layers.PoolingType.MAX;
        if (!max && gp.getPoolingType() != org.deeplearning4j.nn.conf.layers.PoolingType.AVG || !gp.isCollapseDimensions())
            problems.add(new UnsupportedItem(name, "GlobalPoolingLayer", "poolingType", gp.getPoolingType() + " global pooling has no Keras counterpart here"));
        ObjectNode lc = config(l, (max ? "GlobalMaxPooling" : "GlobalAveragePooling") + dims + "D", name);
        lc.put("data_format", cur.nchw() ? "channels_first" : "channels_last").put("keepdims", false);
        return new Emitted(lc, new Shape(cur.channels(), null, null, 0, false, false));
    }

    /** A 2-D image layer's Keras config (convolutions, pooling, padding, cropping, up-sampling, global pooling), or null when {@code c} is none; an {@link Emitted} without config when it has no Keras counterpart. */
    private static Emitted imageLayer(Layer c, ObjectNode l, String name, Shape cur, ArrayNode layers,
            List<UnsupportedItem> problems) {
        ObjectNode lc;
        if (cur.image() && (c.getClass() == org.deeplearning4j.nn.conf.layers.ConvolutionLayer.class
                || c instanceof org.kerasport.dl4j.layers.KerasConvolution2D)) {
            var cv = (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) c;
            lc = config(l, "Conv2D", name);
            lc.put("filters", cv.getNOut());
            pair(lc, "kernel_size", cv.getKernelSize());
            pair(lc, "strides", cv.getStride());
            Shape padded = zeroPadBefore(layers, name, cv.getConvolutionMode(), cv.getPadding(), cur);
            String pad = padded != null ? "valid" : padding(cv.getConvolutionMode(), cv.getPadding(), name, problems);
            if (padded != null) cur = padded;
            lc.put("padding", pad);
            lc.put("data_format", cur.nchw() ? "channels_first" : "channels_last");
            pair(lc, "dilation_rate", cv.getDilation());
            lc.put("groups", 1);
            putActivation(lc, cv.getActivationFn(), name, "ConvolutionLayer", problems);
            lc.put("use_bias", cv.hasBias());
            lc.set("kernel_regularizer", regularizer(cv.getRegularization(), name, "regularization", problems));
            lc.set("bias_regularizer", regularizer(cv.getRegularizationBias(), name, "regularizationBias", problems));
            if (format(c) != (cur.nchw() ? org.deeplearning4j.nn.conf.CNN2DFormat.NCHW : org.deeplearning4j.nn.conf.CNN2DFormat.NHWC))
                problems.add(new UnsupportedItem(name, "ConvolutionLayer", "dataFormat", "a change of channel order inside the network"));
            cur = cur.spatial(cv.getKernelSize(), cv.getStride(), cv.getDilation(), pad, cv.getNOut());
            return new Emitted(lc, cur);
        } else if (cur.image() && (c.getClass() == org.deeplearning4j.nn.conf.layers.Deconvolution2D.class
                || c.getClass() == org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D.class
                || c instanceof org.deeplearning4j.nn.conf.layers.SeparableConvolution2D)) {
            var cv = (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) c;
            String cls = c instanceof org.deeplearning4j.nn.conf.layers.Deconvolution2D ? "Conv2DTranspose"
                    : c instanceof org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D ? "DepthwiseConv2D" : "SeparableConv2D";
            lc = config(l, cls, name);
            long outChannels = cv.getNOut();
            if (!cls.equals("DepthwiseConv2D")) lc.put("filters", cv.getNOut());
            pair(lc, "kernel_size", cv.getKernelSize());
            pair(lc, "strides", cv.getStride());
            // explicit padding: DL4J's depthwise and separable convolutions do not compute a convolution of the
            // zero-padded input with it (measured), and a transposed one crops its output: refused (padding())
            String pad = padding(cv.getConvolutionMode(), cv.getPadding(), name, problems);
            lc.put("padding", pad);
            lc.put("data_format", cur.nchw() ? "channels_first" : "channels_last");
            pair(lc, "dilation_rate", cv.getDilation());
            if (c instanceof org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D dw) {
                lc.put("depth_multiplier", dw.getDepthMultiplier());
                outChannels = cur.channels() * dw.getDepthMultiplier();
                lc.set("depthwise_regularizer", regularizer(cv.getRegularizationByParam("W"), name, "regularization", problems));
            } else if (c instanceof org.deeplearning4j.nn.conf.layers.SeparableConvolution2D sc) {
                lc.put("depth_multiplier", sc.getDepthMultiplier());
                lc.set("depthwise_regularizer", regularizer(sc.getRegularizationByParam("W"), name, "regularization", problems));
                lc.set("pointwise_regularizer", regularizer(sc.getRegularizationByParam("pW"), name, "regularization", problems));
            } else {
                lc.putNull("output_padding");
                lc.set("kernel_regularizer", regularizer(cv.getRegularization(), name, "regularization", problems));
                if (cv.getDilation()[0] != 1 || cv.getDilation()[1] != 1)
                    problems.add(new UnsupportedItem(name, "Deconvolution2D", "dilation", "a dilated transposed convolution is not generated"));
            }
            putActivation(lc, cv.getActivationFn(), name, c.getClass().getSimpleName(), problems);
            lc.put("use_bias", cv.hasBias());
            lc.set("bias_regularizer", regularizer(cv.getRegularizationBias(), name, "regularizationBias", problems));
            if (format(c) != (cur.nchw() ? org.deeplearning4j.nn.conf.CNN2DFormat.NCHW : org.deeplearning4j.nn.conf.CNN2DFormat.NHWC))
                problems.add(new UnsupportedItem(name, c.getClass().getSimpleName(), "dataFormat", "a change of channel order inside the network"));
            if (cls.equals("Conv2DTranspose")) {
                int[] k = cv.getKernelSize(), st = cv.getStride();
                boolean same = pad.equals("same");
                cur = new Shape(null, cur.height() == null ? null : same ? cur.height() * st[0] : (cur.height() - 1) * st[0] + k[0],
                        cur.imgWidth() == null ? null : same ? cur.imgWidth() * st[1] : (cur.imgWidth() - 1) * st[1] + k[1],
                        outChannels, cur.nchw(), false);
            } else {
                cur = cur.spatial(cv.getKernelSize(), cv.getStride(), cv.getDilation(), pad, outChannels);
            }
            return new Emitted(lc, cur);
        } else if (cur.image() && c instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer sp
                && (c.getClass() == org.deeplearning4j.nn.conf.layers.SubsamplingLayer.class
                || c.getClass() == org.kerasport.dl4j.layers.KerasSubsampling.class)) {
            String pad = padding(sp.getConvolutionMode(), sp.getPadding(), name, problems);
            lc = pooling(l, name, "SubsamplingLayer", sp.getPoolingType(), sp.getKernelSize(), sp.getStride(), pad, 2, cur, problems);
            cur = cur.spatial(sp.getKernelSize(), sp.getStride(), new int[]{1, 1}, pad, cur.channels());
            return new Emitted(lc, cur);
        } else if (cur.image() && (c instanceof org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer
                || c instanceof org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D)) {
            boolean padLayer = c instanceof org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
            int[] q = padLayer ? ((org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer) c).getPadding()
                    : ((org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D) c).getCropping(); // top, bottom, left, right
            lc = config(l, padLayer ? "ZeroPadding2D" : "Cropping2D", name);
            ArrayNode pd = lc.putArray(padLayer ? "padding" : "cropping");
            pd.addArray().add(q[0]).add(q[1]);
            pd.addArray().add(q[2]).add(q[3]);
            lc.put("data_format", cur.nchw() ? "channels_first" : "channels_last");
            int sign = padLayer ? 1 : -1;
            cur = new Shape(null, plus(cur.height(), sign * (q[0] + q[1])), plus(cur.imgWidth(), sign * (q[2] + q[3])), cur.channels(), cur.nchw(), false);
            return new Emitted(lc, cur);
        } else if (cur.image() && c instanceof org.deeplearning4j.nn.conf.layers.Upsampling2D up) {
            int[] q = up.getSize();
            lc = config(l, "UpSampling2D", name);
            pair(lc, "size", q.length == 1 ? new int[]{q[0], q[0]} : q);
            lc.put("data_format", cur.nchw() ? "channels_first" : "channels_last").put("interpolation", "nearest");
            int a = q[0], b = q.length == 1 ? q[0] : q[1];
            cur = new Shape(null, cur.height() == null ? null : cur.height() * a, cur.imgWidth() == null ? null : cur.imgWidth() * b,
                    cur.channels(), cur.nchw(), false);
            return new Emitted(lc, cur);
        } else if (cur.image() && c instanceof org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer gp) {
            return globalPooling(gp, l, name, cur, problems, 2);
        }
        return null;
    }

    /** A 3-D volume layer's Keras config (convolution, pooling, up-sampling, padding, cropping, global pooling), or null when {@code c} is none. */
    private static Emitted volumeLayer(Layer c, ObjectNode l, String name, Shape cur, ArrayNode layers,
            List<UnsupportedItem> problems) {
        ObjectNode lc;
        if (cur.volume() && c.getClass() == org.deeplearning4j.nn.conf.layers.Convolution3D.class) {
            var cv = (org.deeplearning4j.nn.conf.layers.Convolution3D) c;
            lc = config(l, "Conv3D", name);
            lc.put("filters", cv.getNOut());
            triple(lc, "kernel_size", cv.getKernelSize());
            triple(lc, "strides", cv.getStride());
            Shape padded = zeroPadBefore(layers, name, cv.getConvolutionMode(), cv.getPadding(), cur);
            String pad = padded != null ? "valid" : padding3d(cv.getConvolutionMode(), cv.getPadding(), name, problems);
            if (padded != null) cur = padded;
            lc.put("padding", pad).put("data_format", cur.nchw() ? "channels_first" : "channels_last");
            triple(lc, "dilation_rate", cv.getDilation());
            lc.put("groups", 1);
            putActivation(lc, cv.getActivationFn(), name, "Convolution3D", problems).put("use_bias", cv.hasBias());
            lc.set("kernel_regularizer", regularizer(cv.getRegularization(), name, "regularization", problems));
            lc.set("bias_regularizer", regularizer(cv.getRegularizationBias(), name, "regularizationBias", problems));
            if ((cv.getDataFormat() == org.deeplearning4j.nn.conf.layers.Convolution3D.DataFormat.NCDHW) != cur.nchw())
                problems.add(new UnsupportedItem(name, "Convolution3D", "dataFormat", "a change of channel order inside the network"));
            cur = volumeOut(cur, cv.getKernelSize(), cv.getStride(), cv.getDilation(), pad, cv.getNOut());
            return new Emitted(lc, cur);
        } else if (cur.volume() && c instanceof org.deeplearning4j.nn.conf.layers.Subsampling3DLayer sp) {
            String pad = padding3d(sp.getConvolutionMode(), sp.getPadding(), name, problems);
            lc = pooling(l, name, "Subsampling3DLayer", sp.getPoolingType(), sp.getKernelSize(), sp.getStride(), pad, 3, cur, problems);
            if ((sp.getDataFormat() == org.deeplearning4j.nn.conf.layers.Convolution3D.DataFormat.NCDHW) != cur.nchw())
                problems.add(new UnsupportedItem(name, "Subsampling3DLayer", "dataFormat", "a change of channel order inside the network"));
            cur = volumeOut(cur, sp.getKernelSize(), sp.getStride(), new int[]{1, 1, 1}, pad, cur.channels());
            return new Emitted(lc, cur);
        } else if (cur.volume() && c instanceof org.deeplearning4j.nn.conf.layers.Upsampling3D up) {
            int[] q = up.getSize();
            lc = config(l, "UpSampling3D", name);
            triple(lc, "size", q);
            lc.put("data_format", cur.nchw() ? "channels_first" : "channels_last");
            if ((up.getDataFormat() == org.deeplearning4j.nn.conf.layers.Convolution3D.DataFormat.NCDHW) != cur.nchw())
                problems.add(new UnsupportedItem(name, "Upsampling3D", "dataFormat", "a change of channel order inside the network"));
            cur = Shape.volume(times(cur.depth(), q[0]), times(cur.height(), q[1]), times(cur.imgWidth(), q[2]), cur.channels(), cur.nchw());
            return new Emitted(lc, cur);
        } else if (cur.volume() && (c instanceof org.deeplearning4j.nn.conf.layers.ZeroPadding3DLayer
                || c instanceof org.deeplearning4j.nn.conf.layers.convolutional.Cropping3D)) {
            boolean padLayer = c instanceof org.deeplearning4j.nn.conf.layers.ZeroPadding3DLayer;
            int[] q = padLayer ? ((org.deeplearning4j.nn.conf.layers.ZeroPadding3DLayer) c).getPadding()
                    : ((org.deeplearning4j.nn.conf.layers.convolutional.Cropping3D) c).getCropping(); // d, d, h, h, w, w
            lc = config(l, padLayer ? "ZeroPadding3D" : "Cropping3D", name);
            ArrayNode pd = lc.putArray(padLayer ? "padding" : "cropping");
            for (int a = 0; a < 3; a++) pd.addArray().add(q[2 * a]).add(q[2 * a + 1]);
            lc.put("data_format", "channels_first"); // DL4J's 3-D padding and cropping layers work on NCDHW
            if (!cur.nchw()) problems.add(new UnsupportedItem(name, c.getClass().getSimpleName(), "dataFormat", "DL4J pads and crops NCDHW volumes only"));
            int sign = padLayer ? 1 : -1;
            cur = Shape.volume(plus(cur.depth(), sign * (q[0] + q[1])), plus(cur.height(), sign * (q[2] + q[3])),
                    plus(cur.imgWidth(), sign * (q[4] + q[5])), cur.channels(), cur.nchw());
            return new Emitted(lc, cur);
        } else if (cur.volume() && c instanceof org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer gp) {
            return globalPooling(gp, l, name, cur, problems, 3);
        }
        return null;
    }

    /** A recurrent layer's Keras config (Bidirectional, SimpleRNN, LSTM), or null when {@code c} is none; an {@link Emitted} without config when it has no Keras counterpart. */
    private static Emitted recurrentLayer(Layer c, ObjectNode l, String name, Shape cur, ArrayNode layers,
            List<UnsupportedItem> problems) {
        ObjectNode lc;
        if (cur.sequence() && c instanceof org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional bd) {
            permuteToNwc(layers, cur, name);
            lc = config(l, "Bidirectional", name);
            lc.put("merge_mode", switch (bd.getMode()) {
                case ADD -> "sum";
                case MUL -> "mul";
                case AVERAGE -> "ave";
                case CONCAT -> "concat";
            });
            Layer fwd = bd.getFwd();
            ObjectNode wrapped = lc.putObject("layer").put("module", "keras.layers");
            ObjectNode ic2;
            long units;
            if (lstm(fwd) != null && fwd == lstm(fwd)) {
                var ls = lstm(fwd);
                units = ls.getNOut();
                ic2 = config(wrapped, "LSTM", "lstm_" + name);
                String act = activation(ls.getActivationFn()), gate = activation(ls.getGateActivationFn());
                if (!"tanh".equals(act) || !"sigmoid".equals(gate))
                    problems.add(new UnsupportedItem(name, "LSTM", "activation", "an LSTM with " + ls.getActivationFn() + "/" + ls.getGateActivationFn()
                            + " (only tanh with sigmoid gates computes the same in Keras 3)"));
                ic2.put("units", units).put("activation", "tanh").put("recurrent_activation", "sigmoid").put("use_bias", true)
                        .put("unit_forget_bias", true);
            } else if (fwd instanceof org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn rn) {
                units = rn.getNOut();
                ic2 = config(wrapped, "SimpleRNN", "simple_rnn_" + name);
                String act = activation(rn.getActivationFn());
                if (act == null || rn.hasLayerNorm()) problems.add(new UnsupportedItem(name, "SimpleRnn", "activation",
                        "a SimpleRnn with " + rn.getActivationFn() + (rn.hasLayerNorm() ? " and layer norm" : "") + " has no Keras counterpart here"));
                ic2.put("units", units).put("activation", act == null ? "tanh" : act).put("use_bias", true);
            } else {
                problems.add(new UnsupportedItem(name, "Bidirectional", "layer", "a Bidirectional " + fwd.getClass().getSimpleName()
                        + " is not generated (LSTM and SimpleRnn are)"));
                return new Emitted(null, cur);
            }
            ic2.put("return_sequences", true).put("return_state", false).put("go_backwards", false).put("stateful", false).put("unroll", false);
            BaseLayer fb = (BaseLayer) fwd;
            ic2.set("kernel_regularizer", regularizer(fb.getRegularizationByParam("W"), name, "regularization", problems));
            ic2.set("recurrent_regularizer", regularizer(fb.getRegularizationByParam("RW"), name, "regularization", problems));
            ic2.set("bias_regularizer", regularizer(fb.getRegularizationBias(), name, "regularizationBias", problems));
            wrapped.putNull("registered_name");
            cur = new Shape(null, null, null, bd.getMode() == org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode.CONCAT ? 2 * units : units, false, true);
            return new Emitted(lc, cur);
        } else if (cur.sequence() && recurrent(c) instanceof org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn rn) {
            boolean last = c instanceof org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
            permuteToNwc(layers, cur, name);
            lc = config(l, "SimpleRNN", name);
            lc.put("units", rn.getNOut());
            String act = activation(rn.getActivationFn());
            if (act == null || rn.hasLayerNorm()) problems.add(new UnsupportedItem(name, "SimpleRnn", "activation",
                    "a SimpleRnn with " + rn.getActivationFn() + (rn.hasLayerNorm() ? " and layer norm" : "") + " has no Keras counterpart here"));
            lc.put("activation", act == null ? "tanh" : act).put("use_bias", true);
            lc.put("return_sequences", !last).put("return_state", false).put("go_backwards", false).put("stateful", false).put("unroll", false);
            lc.set("kernel_regularizer", regularizer(rn.getRegularizationByParam("W"), name, "regularization", problems));
            lc.set("recurrent_regularizer", regularizer(rn.getRegularizationByParam("RW"), name, "regularization", problems));
            lc.set("bias_regularizer", regularizer(rn.getRegularizationBias(), name, "regularizationBias", problems));
            cur = last ? new Shape(rn.getNOut(), null, null, 0, false, false) : new Shape(null, null, null, rn.getNOut(), false, true);
            return new Emitted(lc, cur);
        } else if (cur.sequence() && lstm(c) != null) {
            var ls = lstm(c);
            boolean last = c instanceof org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
            permuteToNwc(layers, cur, name);
            lc = config(l, "LSTM", name);
            lc.put("units", ls.getNOut());
            String act = activation(ls.getActivationFn()), gate = activation(ls.getGateActivationFn());
            if (!"tanh".equals(act) || !"sigmoid".equals(gate))
                problems.add(new UnsupportedItem(name, "LSTM", "activation", "an LSTM with " + ls.getActivationFn() + "/" + ls.getGateActivationFn()
                        + " (only tanh with sigmoid gates computes the same in Keras 3)"));
            lc.put("activation", "tanh").put("recurrent_activation", "sigmoid").put("use_bias", true);
            lc.put("return_sequences", !last).put("return_state", false).put("go_backwards", false).put("stateful", false)
                    .put("unroll", false).put("unit_forget_bias", true);
            lc.set("kernel_regularizer", regularizer(ls.getRegularizationByParam("W"), name, "regularization", problems));
            lc.set("recurrent_regularizer", regularizer(ls.getRegularizationByParam("RW"), name, "regularization", problems));
            lc.set("bias_regularizer", regularizer(ls.getRegularizationBias(), name, "regularizationBias", problems));
            if (last) {
                cur = new Shape(ls.getNOut(), null, null, 0, false, false);
            } else {
                cur = new Shape(null, null, null, ls.getNOut(), false, true); // the Keras tensor is NWC from here on
            }
            return new Emitted(lc, cur);
        }
        return null;
    }

    private record Shape(Long width, Long height, Long imgWidth, long channels, boolean nchw, boolean sequence, boolean volume, Long depth) {
        Shape(Long width, Long height, Long imgWidth, long channels, boolean nchw, boolean sequence) {
            this(width, height, imgWidth, channels, nchw, sequence, false, null);
        }

        /** A 3-D volume ([batch, c, d, h, w] channels-first, [batch, d, h, w, c] channels-last). */
        static Shape volume(Long depth, Long height, Long width, long channels, boolean ncdhw) {
            return new Shape(null, height, width, channels, ncdhw, false, true, depth);
        }

        boolean image() {
            return width == null && !sequence && !volume;
        }

        Shape spatial(int[] k, int[] s, int[] d, String pad, long outChannels) {
            return new Shape(null, out(height, k[0], s[0], d[0], pad), out(imgWidth, k[1], s[1], d[1], pad), outChannels, nchw, false);
        }

        static Long out(Long in, int k, int s, int d, String pad) {
            if (in == null) return null;
            return pad.equals("same") ? (in + s - 1) / s : (in - (long) (k - 1) * d - 1) / s + 1;
        }
    }

    /** DL4J's NCW sequence input reaches its first recurrent layer through a Permute to Keras' [batch, time, features]. */
    private static void permuteToNwc(ArrayNode layers, Shape cur, String name) {
        if (!cur.nchw()) return;
        ObjectNode perm = Json.object().put("module", "keras.layers").put("class_name", "Permute");
        perm.putObject("config").put("name", name + "_to_nwc").put("trainable", true).put("dtype", "float32").putArray("dims").add(2).add(1);
        perm.putNull("registered_name");
        layers.insert(layers.size() - 1, perm); // before this layer's entry
    }

    /**
     * DL4J's explicit zero padding of a 2-D or 3-D convolution (Truncate or Strict mode, padding not zero) as a
     * ZeroPadding2D/3D layer before it — a convolution over zero-padded input is exactly what DL4J computes — and
     * returns the padded shape; null when there is no such padding.
     */
    private static Shape zeroPadBefore(ArrayNode layers, String name, org.deeplearning4j.nn.conf.ConvolutionMode mode, int[] pad, Shape cur) {
        if (mode == org.deeplearning4j.nn.conf.ConvolutionMode.Same || pad == null || java.util.Arrays.stream(pad).allMatch(v -> v == 0)) return null;
        boolean volume = cur.volume();
        ObjectNode z = Json.object().put("module", "keras.layers").put("class_name", volume ? "ZeroPadding3D" : "ZeroPadding2D");
        ObjectNode zc = z.putObject("config").put("name", name + "_pad").put("trainable", true).put("dtype", "float32");
        ArrayNode pd = zc.putArray("padding");
        for (int v : pad) pd.addArray().add(v).add(v);
        zc.put("data_format", cur.nchw() ? "channels_first" : "channels_last");
        z.putNull("registered_name");
        layers.insert(layers.size() - 1, z); // before the convolution's entry
        return volume ? Shape.volume(plus(cur.depth(), 2 * pad[0]), plus(cur.height(), 2 * pad[1]), plus(cur.imgWidth(), 2 * pad[2]), cur.channels(), cur.nchw())
                : new Shape(null, plus(cur.height(), 2 * pad[0]), plus(cur.imgWidth(), 2 * pad[1]), cur.channels(), cur.nchw(), false);
    }

    private static Long times(Long v, int f) {
        return v == null ? null : v * f;
    }

    private static void triple(ObjectNode o, String field, int[] v) {
        o.putArray(field).add(v[0]).add(v[1]).add(v[2]);
    }

    private static String padding3d(org.deeplearning4j.nn.conf.ConvolutionMode mode, int[] pad, String layer, List<UnsupportedItem> problems) {
        if (mode == org.deeplearning4j.nn.conf.ConvolutionMode.Same) return "same";
        if (pad != null && (pad[0] != 0 || pad[1] != 0 || pad[2] != 0))
            problems.add(new UnsupportedItem(layer, "padding", "padding", "explicit padding " + java.util.Arrays.toString(pad)
                    + " is not generated yet (ConvolutionMode.Same and no padding are)"));
        return "valid";
    }

    private static Shape volumeOut(Shape in, int[] k, int[] s, int[] d, String pad, long channels) {
        return Shape.volume(Shape.out(in.depth(), k[0], s[0], d[0], pad), Shape.out(in.height(), k[1], s[1], d[1], pad),
                Shape.out(in.imgWidth(), k[2], s[2], d[2], pad), channels, in.nchw());
    }

    private static Long plus(Long v, int d) {
        return v == null ? null : v + d;
    }

    /** The recurrent layer (LSTM or SimpleRnn, possibly under LastTimeStep), or null. */
    private static Layer recurrent(Layer c) {
        if (lstm(c) != null) return lstm(c);
        Layer u = c instanceof org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep w ? w.getUnderlying() : c;
        return u instanceof org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn ? u : null;
    }

    /** The LSTM of an LSTM layer (DL4J's, Kerasport's, or under LastTimeStep); null for anything else (GravesLSTM...). */
    private static org.deeplearning4j.nn.conf.layers.LSTM lstm(Layer c) {
        if (c instanceof org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep w) c = w.getUnderlying();
        if (c instanceof org.deeplearning4j.nn.conf.layers.LSTM l
                && (l.getClass() == org.deeplearning4j.nn.conf.layers.LSTM.class || l instanceof org.kerasport.dl4j.layers.KerasLSTM)) return l;
        return null;
    }

    private static org.deeplearning4j.nn.conf.CNN2DFormat format(Layer c) {
        if (c instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer cv) return cv.getCnn2dDataFormat();
        if (c instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer sp) return sp.getCnn2dDataFormat();
        return org.deeplearning4j.nn.conf.CNN2DFormat.NCHW;
    }

    /** Sets the layer entry's class and returns its config, with the name, trainable and dtype every layer has. */
    private static ObjectNode config(ObjectNode layer, String className, String name) {
        if (!KERAS_CLASSES.contains(className)) throw new IllegalStateException("export writes Keras class " + className
                + ", which Dl4jToKeras.KERAS_CLASSES does not list");
        layer.put("class_name", className);
        return layer.putObject("config").put("name", name).put("trainable", true).put("dtype", "float32");
    }

    private static void pair(ObjectNode o, String field, int[] v) {
        o.putArray(field).add(v[0]).add(v[1]);
    }

    private static void shapeJson(ArrayNode a, Long[] shape) {
        for (Long d : shape) if (d == null) a.addNull(); else a.add(d);
    }

    private static String padding(org.deeplearning4j.nn.conf.ConvolutionMode mode, int[] pad, String layer, List<UnsupportedItem> problems) {
        if (mode == org.deeplearning4j.nn.conf.ConvolutionMode.Same) return "same";
        if (pad != null && (pad[0] != 0 || pad[1] != 0))
            problems.add(new UnsupportedItem(layer, "padding", "padding", "explicit padding " + java.util.Arrays.toString(pad)
                    + " is not generated yet (ConvolutionMode.Same and no padding are)"));
        return "valid";
    }

    /** A Keras variable's value from the DL4J layer's parameters, in Keras layout; null when there is none. */
    private static INDArray kerasValue(String kerasClass, String weight, java.util.Map<String, INDArray> p, Layer conf) {
        switch (weight.substring(weight.lastIndexOf('.') + 1)) { // LSTM weights are named lstm_cell.kernel etc.
            case "kernel": {
                INDArray w = p.get("W");
                if (kerasClass.equals("LSTM")) return gates(w);
                if (kerasClass.equals("Conv3D")) return w.permute(2, 3, 4, 1, 0); // [out, in, kd, kh, kw] -> (kd, kh, kw, in, out)
                if (kerasClass.equals("Conv1D")) // DL4J M2.1 keeps a 1-D kernel in memory as (k, in, out), whatever its view's shape says
                    return Nd4j.create(org.kerasport.dl4j.NdArrays.floats(w), new long[]{w.size(2), w.size(1), w.size(0)}, 'c');
                // Conv2D [out, in, kh, kw] -> (kh, kw, in, out); Conv2DTranspose [in, out, kh, kw] -> (kh, kw, out, in);
                // DepthwiseConv2D: DL4J keeps Keras' (kh, kw, in, multiplier)
                return kerasClass.equals("Conv2D") || kerasClass.equals("Conv2DTranspose") ? w.permute(2, 3, 1, 0) : w;
            }
            case "depthwise_kernel": return p.get("W").permute(2, 3, 1, 0); // SeparableConv2D [dm, in, kh, kw] -> (kh, kw, in, dm)
            case "pointwise_kernel": return p.get("pW").permute(2, 3, 1, 0); // [out, in*dm, 1, 1] -> (1, 1, in*dm, out)
            case "recurrent_kernel": return p.get("RW") == null ? null : kerasClass.equals("LSTM") ? gates(p.get("RW")) : p.get("RW");
            case "embeddings": return p.get("W");
            case "alpha": return p.get("W"); // PReLU: the same shape (the input's, shared axes 1) and order
            case "bias": {
                if (p.get("b") == null) return null;
                INDArray b = p.get("b").reshape(p.get("b").length());
                return kerasClass.equals("LSTM") ? gates(b) : b;
            }
            case "gamma": return p.get("gamma").reshape(p.get("gamma").length());
            case "beta": return p.get("beta").reshape(p.get("beta").length());
            case "moving_mean": return p.get("mean").reshape(p.get("mean").length());
            case "moving_variance": {
                if (p.containsKey("var")) return p.get("var").reshape(p.get("var").length());
                INDArray logStd = p.get("log10stdev");
                if (logStd == null) return null;
                INDArray std = org.nd4j.linalg.ops.transforms.Transforms.pow(logStd.castTo(DataType.DOUBLE), 1, true).muli(Math.log(10));
                return org.nd4j.linalg.ops.transforms.Transforms.exp(std.muli(2), false).castTo(DataType.FLOAT).reshape(logStd.length());
            }
            default: return null;
        }
    }

    /** An LSTM parameter in Keras' gate order (i, f, c, o) from DL4J's (c, f, o, i), the inverse of the importer's binding. */
    private static INDArray gates(INDArray dl4j) {
        long[] shape = dl4j.shape();
        return Nd4j.create(org.kerasport.dl4j.Layout.gates(2, 1, 3, 0).toKeras(dl4j, shape), shape, 'c');
    }

    private static String name(Layer c, int i) {
        String n = c.getLayerName();
        return n == null || n.isBlank() ? "layer" + i : n.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    private static UnsupportedFeatureException unsupported(Path zip, List<UnsupportedItem> items) {
        return new UnsupportedFeatureException(zip, items);
    }

    /** Puts Keras' name for the activation in the layer config (and returns the config), or reports that it has none. */
    private static ObjectNode putActivation(ObjectNode lc, IActivation a, String name, String dl4jClass, List<UnsupportedItem> problems) {
        String act = activation(a);
        if (act == null) problems.add(new UnsupportedItem(name, dl4jClass, "activation", "activation " + a + " has no Keras counterpart here"));
        return lc.put("activation", act == null ? "linear" : act);
    }

    /** Keras' name for a DL4J activation, or null. */
    static String activation(IActivation a) {
        String s = a == null ? "identity" : a.getClass().getSimpleName().replace("Activation", "").toLowerCase(Locale.ROOT);
        return switch (s) {
            case "identity" -> "linear";
            case "relu" -> a instanceof org.nd4j.linalg.activations.impl.ActivationReLU r && (r.getMax() != null
                    || (r.getThreshold() != null && r.getThreshold() != 0) || (r.getNegativeSlope() != null && r.getNegativeSlope() != 0)) ? null : "relu";
            case "sigmoid", "tanh", "softmax", "softplus", "softsign", "selu", "elu" -> s;
            case "swish" -> "silu";
            default -> a instanceof org.kerasport.dl4j.activation.KerasReLU ? "relu" : null;
        };
    }

    /** A Keras regularizer for DL4J's list (L2(c) is Keras l2(c/2)); JSON null when empty. */
    private static com.fasterxml.jackson.databind.JsonNode regularizer(List<Regularization> regs, String layer, String field,
                                                                        List<UnsupportedItem> problems) {
        Double l1 = null, l2 = null;
        for (Regularization r : regs == null ? List.<Regularization>of() : regs) {
            if (r instanceof L2Regularization l && l.getL2().valueAt(0, 0) == l.getL2().valueAt(1000000, 1000)) l2 = l.getL2().valueAt(0, 0) / 2;
            else if (r instanceof L1Regularization l && l.getL1().valueAt(0, 0) == l.getL1().valueAt(1000000, 1000)) l1 = l.getL1().valueAt(0, 0);
            else problems.add(new UnsupportedItem(layer, "regularization", field, r + " has no Keras weight regularizer counterpart"
                    + " (WeightDecay is decoupled: set it as the optimizer's weight_decay in Keras)"));
        }
        if (l1 == null && l2 == null) return com.fasterxml.jackson.databind.node.NullNode.getInstance();
        ObjectNode o = Json.object().put("module", "keras.regularizers").put("class_name", l1 == null ? "L2" : l2 == null ? "L1" : "L1L2");
        ObjectNode c = o.putObject("config");
        if (l1 != null) c.put("l1", l1);
        if (l2 != null) c.put("l2", l2);
        o.putNull("registered_name");
        return o;
    }

    private static String loss(ILossFunction f) {
        if (f instanceof LossMCXENT m && m.getWeights() == null) return "categorical_crossentropy";
        if (f instanceof LossMSE m && m.getWeights() == null) return "mean_squared_error";
        if (f instanceof LossBinaryXENT b && b.getWeights() == null) return "binary_crossentropy";
        return null;
    }

    /** The optimizer (Adam, SGD, Nesterov momentum with a fixed learning rate) and the loss; null without a loss. */
    private static ObjectNode compileConfig(IUpdater u, com.fasterxml.jackson.databind.JsonNode loss) {
        if (loss == null) return null;
        ObjectNode c = Json.object();
        ObjectNode opt = c.putObject("optimizer").put("module", "keras.optimizers");
        ObjectNode oc;
        if (u instanceof Adam a && a.getLearningRateSchedule() == null) {
            opt.put("class_name", "Adam");
            oc = opt.putObject("config").put("name", "adam").put("learning_rate", a.getLearningRate())
                    .put("beta_1", a.getBeta1()).put("beta_2", a.getBeta2()).put("epsilon", a.getEpsilon()).put("amsgrad", false);
        } else if (u instanceof Nesterovs n && n.getLearningRateSchedule() == null && n.getMomentumISchedule() == null) {
            opt.put("class_name", "SGD");
            oc = opt.putObject("config").put("name", "SGD").put("learning_rate", n.getLearningRate()).put("momentum", n.getMomentum())
                    .put("nesterov", true);
        } else if (u instanceof Sgd s && s.getLearningRateSchedule() == null) {
            opt.put("class_name", "SGD");
            oc = opt.putObject("config").put("name", "SGD").put("learning_rate", s.getLearningRate()).put("momentum", 0.0)
                    .put("nesterov", false);
        } else {
            return null; // no compile config: the model loads uncompiled, and the export says so
        }
        oc.putNull("weight_decay");
        opt.putNull("registered_name");
        c.set("loss", loss);
        c.putNull("loss_weights");
        c.putNull("metrics");
        return c;
    }

    private static String sha256(Path file) {
        try (var in = java.nio.file.Files.newInputStream(file)) {
            var md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return null;
        }
    }

}
