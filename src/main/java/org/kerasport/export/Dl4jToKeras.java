package org.kerasport.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.kerasport.MalformedModelException;
import org.kerasport.UnsupportedFeatureException;
import org.kerasport.UnsupportedItem;
import org.kerasport.export.dl4j.Dl4jNet;
import org.kerasport.export.dl4j.Emit;
import org.kerasport.export.dl4j.Flow;
import org.kerasport.export.dl4j.FunctionalWiring;
import org.kerasport.export.dl4j.KerasJson;
import org.kerasport.export.dl4j.LayerExporters;
import org.kerasport.export.dl4j.VertexExporters;
import org.kerasport.export.dl4j.Weights;
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
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * A model built in DL4J (a ModelSerializer zip without Kerasport's metadata) as a generated Keras 3 model: a
 * MultiLayerNetwork or single-chain ComputationGraph as a Sequential model, any other ComputationGraph as a Functional
 * model (its layers in Keras' own order), with the weights, L1/L2 regularizers (DL4J's L2 coefficient c is Keras'
 * l2(c/2)), the updater (Adam, SGD, Nesterov momentum) and the output layers' losses. Each DL4J layer is written by
 * the exporter registered for its configuration class ({@link LayerExporters}, one file per family in
 * {@code export/dl4j}), each vertex by {@link VertexExporters}; weights come out through the importer's
 * {@code dl4j.Layout}s ({@link Weights}). Anything else is refused with every layer that has no counterpart.
 */
public final class Dl4jToKeras {
    /** Every Keras class this export writes as a layer or model (ClassNameTablesTest checks them against the other tables). */
    public static final Set<String> KERAS_CLASSES = KerasJson.KERAS_CLASSES;

    private Dl4jToKeras() {
    }

    /** The generated model and what the user should know about it (e.g. an output laid out differently). */
    public record Generated(KerasModel model, List<String> notes) {
    }

    public static Generated generate(Path zip) {
        Dl4jNet net = Dl4jNet.read(zip);
        boolean graph = net.graph;
        List<Dl4jNet.Input> inputInfo = net.inputs(zip);
        List<String> notes = new ArrayList<>();
        List<UnsupportedItem> problems = new ArrayList<>();
        ObjectNode model = Json.object().put("module", "keras").put("class_name", graph ? "Functional" : "Sequential");
        ObjectNode mc = model.putObject("config").put("name", graph ? "functional" : "sequential").put("trainable", true);
        if (!graph) mc.put("dtype", "float32");
        ArrayNode layers = mc.putArray("layers");
        // Functional wiring: the Keras layer whose output is each DL4J vertex's output, and that tensor's flow
        Map<String, String> kerasOut = new HashMap<>();
        Map<String, Flow> flowOf = new HashMap<>();
        for (int j = 0; j < (graph ? net.netInputs.size() : 1); j++) {
            String inName = graph ? Dl4jNet.safe(net.netInputs.get(j)) : "input_layer";
            ObjectNode input = layers.addObject().put("module", "keras.layers").put("class_name", "InputLayer");
            ObjectNode ic = input.putObject("config");
            shapeJson(ic.putArray("batch_shape"), inputInfo.get(j).batchShape());
            ic.put("dtype", "float32").put("sparse", false).put("name", inName);
            input.putNull("registered_name");
            if (graph) {
                input.put("name", inName).putArray("inbound_nodes");
                kerasOut.put(net.netInputs.get(j), inName);
                flowOf.put(net.netInputs.get(j), inputInfo.get(j).flow());
            }
        }
        Map<String, String> losses = new LinkedHashMap<>();
        Emit emit = new Emit(layers, problems, notes, losses);
        List<String> names = new ArrayList<>();
        List<Weights.Source> sources = new ArrayList<>();
        Set<IUpdater> updaters = new LinkedHashSet<>();
        Flow cur = inputInfo.get(0).flow(); // what flows between the layers
        for (int i = 0; i < net.confs.size(); i++) {
            int mark = layers.size();
            if (graph) cur = flowOf.get(net.inputsOf.get(i).get(0));
            String name = net.name(i);
            names.add(name);
            var vertex = net.vertexOf.get(i);
            boolean output = graph ? net.netOutputs.contains(net.vertexNames.get(i)) : i == net.confs.size() - 1;
            boolean readsInput = graph ? net.netInputs.contains(net.inputsOf.get(i).get(0)) : i == 0;
            emit.start(name, graph ? net.vertexNames.get(i) : name, cur, net.pre.get(i), output, readsInput); // losses by network output
            emit.open();
            if (vertex != null) {
                cur = VertexExporters.export(vertex, net.inputsOf.get(i).stream().map(flowOf::get).toList(), emit);
                sources.add(null);
                FunctionalWiring.wire(layers, mark, net.inputsOf.get(i), kerasOut, flowOf, VertexExporters.takesList(vertex));
                kerasOut.put(net.vertexNames.get(i), name);
                flowOf.put(net.vertexNames.get(i), cur);
                continue;
            }
            Layer c = net.confs.get(i);
            Layer inner = c instanceof LastTimeStep w ? w.getUnderlying() : c instanceof Bidirectional b ? b.getFwd()
                    : c instanceof TimeDistributed t ? t.getUnderlying() : c;
            if (!net.frozen.get(i) && inner instanceof BaseLayer bl && !net.params.get(i).isEmpty() && bl.getIUpdater() != null)
                updaters.add(bl.getIUpdater());
            if (!cur.image() && net.pre.get(i) instanceof FeedForwardToCnnPreProcessor f) {
                // DL4J's flat-input preprocessor: rows reshaped to [c, h, w] (the same memory order)
                emit.before(KerasJson.reshape(name + "_reshape", f.getNumChannels(), f.getInputHeight(), f.getInputWidth()),
                        Flow.image(f.getInputHeight(), f.getInputWidth(), f.getNumChannels(), true));
            }
            ObjectNode lc = LayerExporters.ALL.export(c, emit);
            if (lc == null) {
                if (!emit.entry().has("config")) layers.remove(indexOf(layers, emit.entry())); // refused: no entry
            } else {
                if (net.frozen.get(i)) lc.put("trainable", false);
                emit.entry().putNull("registered_name");
            }
            cur = emit.out();
            sources.add(emit.weights());
            if (graph) {
                FunctionalWiring.wire(layers, mark, net.inputsOf.get(i), kerasOut, flowOf, false);
                if (layers.size() > mark) kerasOut.put(net.vertexNames.get(i), layers.get(layers.size() - 1).get("name").asText());
                flowOf.put(net.vertexNames.get(i), cur);
            }
        }
        if (graph) {
            // every layer channels-last (ChannelsLast): a permuted output gets a Permute back, which becomes the output
            List<String> outs = problems.isEmpty()
                    ? ChannelsLast.functional(layers, net.netOutputs.stream().map(kerasOut::get).toList())
                    : net.netOutputs.stream().map(kerasOut::get).toList();
            FunctionalWiring.kerasOrder(layers, net.netInputs.stream().map(kerasOut::get).toList(), outs);
            ArrayNode il = mc.putArray("input_layers"), ol = mc.putArray("output_layers");
            for (String in : net.netInputs) il.addArray().add(kerasOut.get(in)).add(0).add(0);
            for (String out : outs) if (out != null) ol.addArray().add(out).add(0).add(0); // null: refused above
        } else if (problems.isEmpty()) {
            ChannelsLast.sequential(layers);
        }
        if (!problems.isEmpty()) throw new UnsupportedFeatureException(zip, problems);
        IUpdater updater = updaters.size() == 1 ? updaters.iterator().next() : null; // layers with different updaters: no one Keras optimizer
        model.putNull("registered_name");
        if (!graph) shapeJson(model.putObject("build_config").putArray("input_shape"), inputInfo.get(0).batchShape());
        JsonNode loss = null; // one loss, or one per output in the outputs' order
        if (!graph) {
            String only = losses.isEmpty() ? null : losses.values().iterator().next();
            if (only != null) loss = TextNode.valueOf(only);
        } else if (net.netOutputs.stream().allMatch(o -> losses.get(o) != null)) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            for (String o : net.netOutputs) a.add(losses.get(o));
            loss = net.netOutputs.size() == 1 ? a.get(0) : a;
        } else if (!losses.isEmpty()) {
            notes.add("not every network output is an output layer with a loss: the model is saved uncompiled");
        }
        ObjectNode compile = KerasJson.compileConfig(updater, loss);
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
                    Weights.Move m = sources.get(idx) == null ? null : sources.get(idx).apply(e.name());
                    Weights.Value v = m == null ? null : m.read(net.params.get(idx));
                    if (v == null) throw new MalformedModelException(zip, "coefficients.bin", "no DL4J parameter for " + l.name() + "/" + e.name());
                    ws.add(new WeightSpec(e.name(), e.role(), v.shape(), "float32", v.data(), e.trainable(), e.regularizer(), null));
                }
            specs.add(l.withWeights(ws));
        }
        kg = new KerasGraph(kg.className(), kg.name(), specs, kg.inputs(), kg.outputs());
        TrainingSpec training = compile == null ? null : new TrainingConfigParser(zip).parse(compile, kg.outputs(), "compile_config");
        SourceInfo info = new SourceInfo(zip.toString(), "dl4j-zip", KerasWriter.KERAS_VERSION, "tensorflow", sha256(zip), null);
        return new Generated(new KerasModel(kg, training, info, List.of(), model, List.of()), notes);
    }

    private static int indexOf(ArrayNode a, JsonNode n) {
        for (int i = a.size() - 1; i >= 0; i--) if (a.get(i) == n) return i;
        return -1;
    }

    private static void shapeJson(ArrayNode a, Long[] shape) {
        for (Long d : shape) if (d == null) a.addNull(); else a.add(d);
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
