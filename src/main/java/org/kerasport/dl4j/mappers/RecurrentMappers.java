package org.kerasport.dl4j.mappers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.kerasport.dl4j.LayerMapper;
import org.kerasport.dl4j.Layout;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.dl4j.layers.KerasDenseNd;
import org.kerasport.dl4j.layers.KerasEmbedding;
import org.kerasport.dl4j.layers.KerasRecurrent;
import org.kerasport.dl4j.layers.KerasTensorOp;
import org.kerasport.dl4j.layers.SdActivations;
import org.kerasport.format.Json;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.Regularizer;
import org.kerasport.model.WeightSpec;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.learning.regularization.Regularization;

/** Recurrent layer family mappers (registered in {@link org.kerasport.dl4j.MapperRegistry}). */
public final class RecurrentMappers {
    private RecurrentMappers() {
    }

    /** Every mapper of this family. */
    public static List<LayerMapper> all() {
        return List.of(new Recurrent(), new CellRnn(), new Masking(), new Embedding(), new TimeDistributedDense(), new TensorOps());
    }

    static final Set<String> RNN_CLASSES = Set.of("LSTM", "GRU", "SimpleRNN");

    /** LSTM, GRU, SimpleRNN and Bidirectional of one of them: {@link KerasRecurrent}, Keras' equations exactly. */
    public static final class Recurrent implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("LSTM", "GRU", "SimpleRNN", "Bidirectional");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            return map(l, l, null, vertex, inputs, ctx);
        }

        /**
         * @param l     the Keras layer mapped (it owns the variables; unsupported items and trainability are its)
         * @param as    the layer whose class and config say what is computed: {@code l} itself, or an LSTM, GRU or
         *              SimpleRNN layer equivalent to one cell of an RNN ({@link CellRnn})
         * @param cellPrefix the prefix of the variables' names in {@code l} ({@code lstm_cell.} when null)
         */
        String map(LayerSpec l, LayerSpec as, String cellPrefix, String vertex, List<String> inputs, MappingContext ctx) {
            Long[] in = ctx.shape(inputs.get(0));
            if (in == null || in.length != 3 || in[2] == null) {
                ctx.unsupported(l, "input", "a recurrent layer needs a [batch, time, features] input with known features");
                return null;
            }
            boolean bi = as.className().equals("Bidirectional");
            LayerSpec cellSpec = as;
            String mergeMode = null, prefixF = "", prefixB = null;
            if (bi) {
                if (l.inner() == null || l.inner().layers().size() < 2) {
                    ctx.unsupported(l, "layer", "Bidirectional without its forward and backward layers");
                    return null;
                }
                cellSpec = l.inner().layers().get(0);
                LayerSpec back = l.inner().layers().get(1);
                if (!RNN_CLASSES.contains(cellSpec.className()) || !back.className().equals(cellSpec.className())) {
                    ctx.unsupported(l, "layer", "Bidirectional of " + cellSpec.className() + "/" + back.className() + " is not supported");
                    return null;
                }
                for (String f : List.of("units", "output_dim", "activation", "recurrent_activation", "inner_activation",
                        "use_bias", "return_sequences", "reset_after", "return_state"))
                    if (!String.valueOf(cellSpec.config().get(f)).equals(String.valueOf(back.config().get(f)))) {
                        ctx.unsupported(l, "backward_layer", "a backward layer configured unlike the forward one (" + f + ")");
                        return null;
                    }
                if (Json.isPresent(back.config(), "go_backwards") && back.config().get("go_backwards").asBoolean() == bool(cellSpec, "go_backwards", false)) {
                    ctx.unsupported(l, "backward_layer", "a backward layer running in the same direction as the forward one");
                    return null;
                }
                mergeMode = Json.text(l.config(), "merge_mode");
                if (mergeMode == null || !Set.of("concat", "sum", "mul", "ave").contains(mergeMode)) {
                    ctx.unsupported(l, "merge_mode", "merge_mode " + mergeMode + " is not supported (concat, sum, mul, ave are)");
                    return null;
                }
                prefixF = cellSpec.name() + ".";
                prefixB = back.name() + ".";
            }
            JsonNode c = cellSpec.config();
            String cls = cellSpec.className();
            String cellName = switch (cls) {
                case "LSTM" -> "lstm";
                case "GRU" -> "gru";
                default -> "simple";
            };
            String snake = cellPrefix != null ? cellPrefix : switch (cls) {
                case "LSTM" -> "lstm_cell.";
                case "GRU" -> "gru_cell.";
                default -> "simple_rnn_cell.";
            };
            long units = c.has("units") ? c.get("units").asLong() : c.get("output_dim").asLong();
            String act = activation(l, c, "activation", "tanh", ctx);
            String ract = cls.equals("SimpleRNN") ? "sigmoid"
                    : activation(l, c, c.has("recurrent_activation") ? "recurrent_activation" : "inner_activation",
                    "sigmoid", ctx);
            if (act == null || ract == null) return null;
            if (bool(cellSpec, "return_state", false)) {
                ctx.unsupported(l, "return_state", "return_state=True (several outputs) is not supported");
                return null;
            }
            if (bool(cellSpec, "stateful", false))
                ctx.note(l.name() + ": stateful; this graph starts every batch from zero states (as a freshly loaded Keras model's first batch)");
            for (String f : List.of("dropout", "recurrent_dropout", "dropout_W", "dropout_U"))
                if (c.has(f) && c.get(f).asDouble(0) > 0)
                    ctx.note(l.name() + ": " + f + "=" + c.get(f).asDouble() + " is not reproduced in training (identity at inference, as Keras)");
            boolean returnSeq = bool(cellSpec, "return_sequences", false);
            boolean goBack = bool(cellSpec, "go_backwards", false);

            WeightSpec kernel = l.weight(prefixF + snake + "kernel").orElse(null);
            WeightSpec rec = l.weight(prefixF + snake + "recurrent_kernel").orElse(null);
            WeightSpec bias = l.weight(prefixF + snake + "bias").orElse(null);
            if (kernel == null || rec == null) {
                ctx.unsupported(l, "weights", "expected weights " + prefixF + snake + "kernel and recurrent_kernel");
                return null;
            }
            boolean resetAfter = false;
            if (cls.equals("GRU")) {
                if (bias != null) resetAfter = bias.shape().length == 2;
                else resetAfter = bool(cellSpec, "reset_after", ctx.kerasMajor() >= 3);
            }
            String mask = ctx.callMask; // Keras' mask for this call (Masks), or null
            // DL4J's own LSTM computes this case (much faster than the SameDiff cell); weights in its gate order
            // a Bidirectional one too, as DL4J's Bidirectional wrapper of it, when it returns sequences (DL4J's last
            // step of a bidirectional output is not Keras': the backward direction's last step vs its final state)
            boolean dl4j = (!bi || returnSeq) && cls.equals("LSTM") && act.equals("tanh") && mask == null && !goBack && bias != null
                    && Set.of("sigmoid", "hard_sigmoid_k2", "hard_sigmoid_k3").contains(ract);
            Layout layout = dl4j ? Layout.gates(2, 1, 3, 0) : Layout.SAME; // DL4J (c, f, o, i) from Keras (i, f, c, o)
            Map<String, List<Regularization>> regs = new HashMap<>();
            List<String[]> dirs = new ArrayList<>();
            if (bi) {
                dirs.add(new String[]{"f", prefixF});
                dirs.add(new String[]{"b", prefixB});
            } else {
                dirs.add(new String[]{"", ""});
            }
            for (String[] d : dirs) {
                String[][] ws = {{"W", "kernel"}, {"RW", "recurrent_kernel"}, {"b", "bias"}};
                for (String[] w : ws) {
                    WeightSpec spec = l.weight(d[1] + snake + w[1]).orElse(null);
                    if (spec == null) {
                        if (!w[0].equals("b") || bias != null) {
                            ctx.unsupported(l, "weights", "missing weight " + d[1] + snake + w[1]);
                            return null;
                        }
                        continue;
                    }
                    if (spec.regularizer() instanceof Regularizer.Orthogonal o && !o.isZero()) {
                        ctx.unsupported(l, w[1] + "_regularizer", "OrthogonalRegularizer is not supported");
                        return null;
                    }
                    regs.put(d[0] + w[0], ctx.regularization(spec));
                    ctx.bind(d[1] + snake + w[1], vertex, d[0] + w[0], layout);
                }
            }
            if (dl4j) return dl4jLstm(l, as, vertex, inputs, in, units, ract, returnSeq, bi ? mergeMode : null, regs, ctx);
            KerasRecurrent layer = new KerasRecurrent(vertex, cellName, in[2], units, in[1] == null ? -1 : in[1], act, ract, bias != null,
                    resetAfter, returnSeq, goBack, mergeMode, null, regs);
            Long[] out = ctx.outputShape(as, inputs);
            List<String> layerInputs = inputs;
            if (mask != null) { // the mask travels as the input's last feature ([batch, time, features + 1])
                layer.setMaskChannel(true);
                String withMask = vertex + "__masked";
                Long[] shape = {in[0], in[1], in[2] + 1};
                ctx.addVertex(withMask, new org.kerasport.dl4j.layers.KerasOpVertex("append_mask", 0, null, false,
                        Masks.withoutBatch(shape)), shape, List.of(inputs.get(0), mask));
                layerInputs = List.of(withMask);
            }
            ctx.addLayer(vertex, layer, as.trainable(), out, layerInputs);
            return vertex;
        }

        /**
         * A Keras LSTM that DL4J's own LSTM layer computes (see {@link org.kerasport.dl4j.layers.KerasLSTM}): about
         * twenty times faster than the SameDiff cell, which remains for everything else (GRU, SimpleRNN,
         * Bidirectional, masks, go_backwards, other activations).
         */
        private static String dl4jLstm(LayerSpec l, LayerSpec as, String vertex, List<String> inputs, Long[] in, long units, String ract,
                                       boolean returnSeq, String mergeMode, Map<String, List<Regularization>> regs, MappingContext ctx) {
            IActivation gate;
            try {
                gate = ract.equals("sigmoid") ? new org.nd4j.linalg.activations.impl.ActivationSigmoid()
                        : org.kerasport.dl4j.activation.KerasActivations.of("hard_sigmoid", ract.endsWith("k3") ? 3 : 2);
            } catch (org.kerasport.dl4j.activation.KerasActivations.UnknownActivation e) {
                throw new IllegalStateException(e);
            }
            org.deeplearning4j.nn.conf.layers.LSTM base = (org.deeplearning4j.nn.conf.layers.LSTM) new org.deeplearning4j.nn.conf.layers.LSTM.Builder()
                    .nIn(in[2]).nOut(units).activation(new org.nd4j.linalg.activations.impl.ActivationTanH())
                    .gateActivationFunction(gate).dataFormat(org.deeplearning4j.nn.conf.RNNFormat.NWC)
                    .regularization(regs.get(mergeMode == null ? "W" : "fW")).regularizationBias(regs.get(mergeMode == null ? "b" : "fb")).build();
            org.kerasport.dl4j.layers.KerasLSTM lstm = org.kerasport.dl4j.layers.KerasLSTM.of(base, regs.get(mergeMode == null ? "RW" : "fRW"));
            org.deeplearning4j.nn.conf.layers.Layer layer;
            if (mergeMode != null) { // DL4J's f/b parameters are the forward/backward layers' (bound by the caller)
                var mode = switch (mergeMode) {
                    case "sum" -> org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode.ADD;
                    case "mul" -> org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode.MUL;
                    case "ave" -> org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode.AVERAGE;
                    default -> org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode.CONCAT;
                };
                layer = new org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional(mode, lstm);
            } else {
                layer = returnSeq ? lstm : new org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep(lstm);
            }
            ctx.addLayer(vertex, layer, as.trainable(), ctx.outputShape(as, inputs), inputs);
            return vertex;
        }

        static String activation(LayerSpec l, JsonNode c, String field, String dflt, MappingContext ctx) {
            JsonNode a = c.get(field);
            String name = a == null || a.isNull() ? dflt : a.isTextual() ? a.asText()
                    : a.path("config").isTextual() ? a.path("config").asText() : a.path("class_name").asText();
            String r = SdActivations.resolve(name, ctx.kerasMajor());
            if (r == null) ctx.unsupported(l, field, "activation '" + name + "' is not supported"
                    + (l.className().equals("Dense") ? "" : " in " + l.className()));
            return r;
        }
    }

    /**
     * Keras RNN of an LSTMCell, GRUCell or SimpleRNNCell: the LSTM, GRU or SimpleRNN layer of the cell's config computes
     * the same (Keras' LSTM, GRU and SimpleRNN are that RNN; every regularizer the cell holds is bound to its variable).
     * RNN of StackedRNNCells: one such layer per cell, each returning sequences into the next; the last one returns
     * what the RNN returns. With go_backwards the first layer reads the input reversed and the others read its output
     * as it comes (Keras runs the whole stack on the reversed input).
     */
    public static final class CellRnn implements LayerMapper {
        private static final Map<String, String> LAYER_OF_CELL = Map.of("LSTMCell", "LSTM", "GRUCell", "GRU", "SimpleRNNCell", "SimpleRNN");

        @Override
        public Set<String> classNames() {
            return Set.of("RNN");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            if (l.inner() == null || l.inner().layers().size() != 1) {
                ctx.unsupported(l, "cell", "RNN without its cell");
                return null;
            }
            LayerSpec cell = l.inner().layers().get(0);
            List<LayerSpec> cells;
            String stackPrefix = "";
            if (cell.className().equals("StackedRNNCells")) {
                cells = cell.inner() == null ? List.of() : cell.inner().layers();
                stackPrefix = cell.name() + ".";
            } else {
                cells = List.of(cell);
            }
            if (cells.isEmpty()) {
                ctx.unsupported(l, "cell", "StackedRNNCells without cells");
                return null;
            }
            for (LayerSpec c : cells)
                if (!LAYER_OF_CELL.containsKey(c.className())) {
                    ctx.unsupported(l, "cell", "RNN of " + c.className() + " is not supported (LSTMCell, GRUCell, SimpleRNNCell"
                            + " and StackedRNNCells of them are)");
                    return null;
                }
            boolean returnSeq = bool(l, "return_sequences", false), goBack = bool(l, "go_backwards", false);
            if (bool(l, "return_state", false)) {
                ctx.unsupported(l, "return_state", "return_state=True (several outputs) is not supported");
                return null;
            }
            if (ctx.callMask != null && cells.size() > 1 && goBack) {
                ctx.unsupported(l, "go_backwards", "a masked StackedRNNCells RNN with go_backwards is not supported");
                return null;
            }
            if (ctx.callMask != null && returnSeq && bool(l, "zero_output_for_mask", false)) {
                ctx.unsupported(l, "zero_output_for_mask", "zero_output_for_mask=True on a masked sequence output is not supported");
                return null;
            }
            Recurrent rec = new Recurrent();
            List<String> in = inputs;
            String out = null;
            for (int i = 0; i < cells.size(); i++) {
                LayerSpec c = cells.get(i);
                boolean last = i == cells.size() - 1;
                com.fasterxml.jackson.databind.node.ObjectNode cfg = ((com.fasterxml.jackson.databind.node.ObjectNode) c.config()).deepCopy();
                cfg.put("return_sequences", !last || returnSeq);
                cfg.put("go_backwards", i == 0 && goBack);
                cfg.put("return_state", false);
                cfg.put("stateful", bool(l, "stateful", false));
                LayerSpec as = new LayerSpec(l.name(), LAYER_OF_CELL.get(c.className()), LAYER_OF_CELL.get(c.className()), cfg,
                        cfg, l.trainable() && c.trainable(), l.inboundNodes(), List.of(), null, null, false);
                String v = last ? vertex : vertex + "__cell" + i;
                out = rec.map(l, as, stackPrefix + c.name() + ".", v, in, ctx);
                if (out == null) return null;
                in = List.of(out);
            }
            return out;
        }
    }

    /**
     * Keras Masking: its output is {@code x · any(x != mask_value, axis=-1)} (identity for mask_value 0: masked steps
     * are zero already); the mask it makes reaches the layers after it through {@link Masks}.
     */
    public static final class Masking implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Masking");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            double mv = Json.isPresent(l.config(), "mask_value") ? l.config().get("mask_value").asDouble() : 0.0;
            Long[] s = ctx.shape(inputs.get(0));
            if (s == null || s.length != 3) {
                ctx.unsupported(l, "input", "Masking is supported on [batch, time, features] inputs");
                return null;
            }
            if (mv == 0.0) return inputs.get(0);
            ctx.addVertex(vertex + "__ne", new org.kerasport.dl4j.layers.KerasOpVertex("not_equal", mv, null, false,
                    Masks.withoutBatch(s)), s, inputs);
            Long[] m = {s[0], s[1]};
            ctx.addVertex(vertex + "__any", new org.kerasport.dl4j.layers.KerasOpVertex("any", 0, new int[]{-1}, false,
                    Masks.withoutBatch(m)), m, List.of(vertex + "__ne"));
            ctx.addVertex(vertex, new org.kerasport.dl4j.layers.KerasOpVertex("apply_mask", 0, null, false,
                    Masks.withoutBatch(s)), s, List.of(inputs.get(0), vertex + "__any"));
            return vertex;
        }
    }

    /** Keras Embedding: DL4J EmbeddingSequenceLayer (NWC output); its regularizer covers the whole matrix, as Keras'. */
    public static final class Embedding implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Embedding");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            Long[] in = ctx.shape(inputs.get(0));
            if (in == null || in.length != 2) {
                ctx.unsupported(l, "input", "Embedding needs a [batch, length] input");
                return null;
            }
            WeightSpec e = l.weight("embeddings").orElse(null);
            if (e == null) {
                ctx.unsupported(l, "embeddings", "no embeddings weight");
                return null;
            }
            if (e.regularizer() instanceof Regularizer.Orthogonal o && !o.isZero()) {
                ctx.unsupported(l, "embeddings_regularizer", "OrthogonalRegularizer is not supported");
                return null;
            }
            EmbeddingSequenceLayer built = (EmbeddingSequenceLayer) new EmbeddingSequenceLayer.Builder().nIn(e.shape()[0]).nOut(e.shape()[1])
                    .inputLength(in[1] == null ? 1 : in[1].intValue()).hasBias(false).outputDataFormat(RNNFormat.NWC)
                    .regularization(ctx.regularization(e)).build();
            KerasEmbedding emb = new KerasEmbedding(built);
            emb.setInferInputLength(in[1] == null); // free length: each batch's own (DL4J reads it from the input)
            ctx.addLayer(vertex, emb, l.trainable(), ctx.outputShape(l, inputs), inputs);
            ctx.bind("embeddings", vertex, "W", Layout.SAME);
            return vertex;
        }
    }

    /** TimeDistributed(Dense) on [batch, time, features]: {@link KerasDenseNd}. */
    public static final class TimeDistributedDense implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("TimeDistributed");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            Long[] in = ctx.shape(inputs.get(0));
            LayerSpec inner = l.inner() == null || l.inner().layers().isEmpty() ? null : l.inner().layers().get(0);
            if (inner == null || !inner.className().equals("Dense") || in == null || in.length != 3 || in[2] == null) {
                ctx.unsupported(l, "layer", "TimeDistributed is supported for Dense on [batch, time, features] only");
                return null;
            }
            return denseOnSequence(inner, vertex, inputs, ctx, l, inner.name() + ".");
        }
    }

    /**
     * Keras Dense on a [batch, time, features] input or one of higher rank (Keras applies it to the last axis):
     * {@link KerasDenseNd}, with every activation {@link SdActivations} knows.
     */
    public static String denseOnSequence(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
        return denseOnSequence(l, vertex, inputs, ctx, l, "");
    }

    /** @param dense the Dense layer's spec; {@code owner} the layer holding its weights, named {@code prefix + kernel} */
    static String denseOnSequence(LayerSpec dense, String vertex, List<String> inputs, MappingContext ctx, LayerSpec owner, String prefix) {
        Long[] in = ctx.shape(inputs.get(0));
        if (in == null || in.length < 3 || in.length > 5 || java.util.Arrays.asList(in).subList(1, in.length).contains(null)) {
            ctx.unsupported(owner, "input", "Dense on a tensor of rank 3 to 5 needs its sizes (other than the batch) known");
            return null;
        }
        long units = dense.config().get("units").asLong();
        WeightSpec kernel = owner.weight(prefix + "kernel").orElse(null), bias = owner.weight(prefix + "bias").orElse(null);
        String act = Recurrent.activation(owner, dense.config(), "activation", "linear", ctx);
        if (act == null) return null;
        Map<String, List<Regularization>> regs = new HashMap<>();
        regs.put("W", ctx.regularization(kernel));
        if (bias != null) regs.put("b", ctx.regularization(bias));
        Long[] out = ctx.outputShape(owner, inputs);
        long[] inner = new long[in.length - 2];
        for (int i = 0; i < inner.length; i++) inner[i] = in[i + 1];
        ctx.addLayer(vertex, new KerasDenseNd(vertex, in[in.length - 1], units, inner, bias != null, act, regs), owner.trainable(), out, inputs);
        ctx.bind(prefix + "kernel", vertex, "W", Layout.SAME);
        if (bias != null) ctx.bind(prefix + "bias", vertex, "b", Layout.SAME);
        return vertex;
    }

    /** RepeatVector and Permute (GlobalAveragePooling1D is {@link PoolingMappers.GlobalPooling}'s). */
    public static final class TensorOps implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("RepeatVector", "Permute");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            Long[] in = ctx.shape(inputs.get(0));
            Long[] out = ctx.outputShape(l, inputs);
            if (in == null || out == null || java.util.Arrays.asList(out).subList(1, out.length).contains(null)) {
                ctx.unsupported(l, "input", "shapes must be known");
                return null;
            }
            long[] o = new long[out.length - 1];
            for (int i = 1; i < out.length; i++) o[i - 1] = out[i];
            KerasTensorOp op;
            if (l.className().equals("RepeatVector")) {
                op = new KerasTensorOp(vertex, "repeat", null, l.config().get("n").asLong(), o);
            } else {
                JsonNode d = l.config().get("dims");
                int[] dims = new int[d.size()];
                for (int i = 0; i < dims.length; i++) dims[i] = d.get(i).asInt();
                op = new KerasTensorOp(vertex, "permute", dims, 0, o);
            }
            ctx.addLayer(vertex, op, true, out, inputs);
            return vertex;
        }
    }

    static boolean bool(LayerSpec l, String f, boolean dflt) {
        return Json.isPresent(l.config(), f) ? l.config().get(f).asBoolean() : dflt;
    }
}
