package org.kerasport.dl4j.mappers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.kerasport.dl4j.LayerMapper;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.dl4j.layers.KerasPreprocessVertex;
import org.kerasport.dl4j.layers.KerasPreprocessing;
import org.kerasport.dl4j.layers.KerasTensorOp;
import org.kerasport.format.Json;
import org.kerasport.model.LayerSpec;

/**
 * Keras' stateful preprocessing layers at inference ({@link KerasPreprocessing}): {@code CategoryEncoding},
 * {@code Discretization}, {@code IntegerLookup} and {@code Hashing} of ids as a vertex inside the DL4J graph;
 * {@code StringLookup}, {@code Hashing} of strings and {@code TextVectorization} on a string input before it (the
 * layer's output becomes a DL4J graph input, {@link org.kerasport.dl4j.StringFeed}). They hold no trainable
 * variables; a fine-tune trains what follows them.
 */
public final class PreprocessingMappers {
    private PreprocessingMappers() {
    }

    /** The layers that read strings. */
    public static final Set<String> STRING_LAYERS = Set.of("StringLookup", "Hashing", "TextVectorization");

    /** Every mapper of this family. */
    public static List<LayerMapper> all() {
        return List.of(new Stateful());
    }

    public static final class Stateful implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("CategoryEncoding", "Discretization", "Hashing", "IntegerLookup", "StringLookup", "TextVectorization");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            if (inputs.size() != 1) {
                ctx.unsupported(l, "inbound_nodes", l.className() + " with " + inputs.size()
                        + " inputs (CategoryEncoding's count_weights) is not supported yet");
                return null;
            }
            String in = inputs.get(0);
            boolean strings = ctx.isStringInput(in);
            KerasPreprocessing p = spec(l, strings, ctx);
            if (p == null) return null;
            Long[] inShape = ctx.shape(in);
            String mode = p.outputMode;
            if (!l.className().equals("TextVectorization") && (mode.equals("multi_hot") || mode.equals("count")) && inShape.length != 2) {
                ctx.unsupported(l, "output_mode", "output_mode '" + mode + "' on a " + (inShape.length - 1)
                        + "-D input per sample is supported on 1-D ones only (a [batch, n] input)");
                return null;
            }
            if (l.className().equals("TextVectorization") && !(inShape.length == 1 || (inShape.length == 2 && inShape[1] != null && inShape[1] == 1))) {
                ctx.unsupported(l, "batch_shape", "TextVectorization takes one string per sample (input shape () or (1,))");
                return null;
            }
            for (int i = 1; i < inShape.length; i++)
                if (inShape[i] == null) {
                    ctx.unsupported(l, "batch_shape", l.className() + " on an input of free length is not supported yet");
                    return null;
                }
            Long[] out = outShape(p, inShape);
            long[] noBatch = Masks.withoutBatch(out);
            if (strings) return ctx.feedStrings(vertex, in, p, out, KerasTensorOp.typeOf(noBatch));
            if (p.strings || l.className().equals("StringLookup") || l.className().equals("TextVectorization")) {
                ctx.unsupported(l, "inbound_nodes", l.className() + " reads strings, and its input is not a string input of the model");
                return null;
            }
            ctx.addVertex(vertex, new KerasPreprocessVertex(p, noBatch), out, inputs);
            return vertex;
        }
    }

    static Long[] outShape(KerasPreprocessing p, Long[] in) {
        long[] s = new long[in.length];
        for (int i = 0; i < in.length; i++) s[i] = in[i] == null ? 1 : in[i];
        long[] o = p.outputShape(s);
        Long[] out = new Long[o.length];
        for (int i = 1; i < o.length; i++) out[i] = o[i];
        return out;
    }

    private static String mode(LayerSpec l) {
        String m = Json.text(l.config(), "output_mode");
        return m == null ? "int" : m;
    }

    /** The layer's configuration as {@link KerasPreprocessing}, or null after reporting why it cannot run. */
    static KerasPreprocessing spec(LayerSpec l, boolean strings, MappingContext ctx) {
        JsonNode c = l.config();
        KerasPreprocessing p = new KerasPreprocessing();
        p.strings = strings;
        p.outputMode = mode(l);
        List<String> modes = List.of("int", "one_hot", "multi_hot", "count");
        if (p.outputMode.equals("tf_idf")) {
            ctx.unsupported(l, "output_mode", "output_mode 'tf_idf' is not supported yet (int, one_hot, multi_hot and count are)");
            return null;
        }
        if (!modes.contains(p.outputMode) || (l.className().equals("TextVectorization") && p.outputMode.equals("one_hot"))) {
            ctx.unsupported(l, "output_mode", "output_mode '" + p.outputMode + "' is not one Keras " + l.className() + " has");
            return null;
        }
        switch (l.className()) {
            case "CategoryEncoding" -> {
                p.kind = "category_encoding";
                if (!Json.isPresent(c, "num_tokens")) {
                    ctx.unsupported(l, "num_tokens", "CategoryEncoding without num_tokens");
                    return null;
                }
                p.depth = c.get("num_tokens").asInt();
            }
            case "Discretization" -> {
                p.kind = "discretization";
                JsonNode b = c.get("bin_boundaries");
                if (b == null || !b.isArray()) {
                    ctx.unsupported(l, "bin_boundaries", "Discretization without bin_boundaries in its config"
                            + " (Keras writes them once the layer is built or adapted)");
                    return null;
                }
                p.boundaries = new double[b.size()];
                for (int i = 0; i < b.size(); i++) p.boundaries[i] = b.get(i).asDouble();
                p.depth = p.boundaries.length + 1;
            }
            case "Hashing" -> {
                p.kind = "hashing";
                p.numBins = c.get("num_bins").asInt();
                p.depth = p.numBins;
                JsonNode mv = c.get("mask_value");
                p.maskValue = mv == null || mv.isNull() ? null : mv.asText();
                if (!salt(l, p, ctx)) return null;
            }
            case "IntegerLookup", "StringLookup", "TextVectorization" -> {
                if (!lookup(l, p, ctx)) return null;
            }
            default -> throw new IllegalStateException(l.className());
        }
        return p;
    }

    private static boolean salt(LayerSpec l, KerasPreprocessing p, MappingContext ctx) {
        JsonNode s = l.config().get("salt");
        if (s == null || s.isNull()) return true;
        if (s.isIntegralNumber()) p.salt = new long[]{s.asLong(), s.asLong()};
        else if (s.isArray() && s.size() == 2) p.salt = new long[]{s.get(0).asLong(), s.get(1).asLong()};
        else {
            ctx.unsupported(l, "salt", "salt " + s + " is neither an integer nor a pair of integers");
            return false;
        }
        return true;
    }

    private static boolean lookup(LayerSpec l, KerasPreprocessing p, MappingContext ctx) {
        JsonNode c = l.config();
        boolean tv = l.className().equals("TextVectorization");
        p.kind = switch (l.className()) {
            case "IntegerLookup" -> "integer_lookup";
            case "StringLookup" -> "string_lookup";
            default -> "text_vectorization";
        };
        if (tv) {
            p.numOov = 1;
            p.maskToken = "";
            p.oovToken = "[UNK]";
            JsonNode st = c.get("standardize");
            if (st != null && !st.isNull() && !(st.isTextual() && List.of("lower", "strip_punctuation", "lower_and_strip_punctuation").contains(st.asText()))) {
                ctx.unsupported(l, "standardize", "a standardize function (" + (st.isTextual() ? st.asText() : st.toString())
                        + ") is Python code Kerasport cannot run; only None, 'lower', 'strip_punctuation' and"
                        + " 'lower_and_strip_punctuation' are computed");
                return false;
            }
            p.standardize = st == null || st.isNull() ? null : st.asText();
            JsonNode sp = c.get("split");
            if (sp != null && !sp.isNull() && !(sp.isTextual() && List.of("whitespace", "character").contains(sp.asText()))) {
                ctx.unsupported(l, "split", "a split function (" + (sp.isTextual() ? sp.asText() : sp.toString())
                        + ") is Python code Kerasport cannot run; only None, 'whitespace' and 'character' are computed");
                return false;
            }
            p.split = sp == null || sp.isNull() ? null : sp.asText();
            JsonNode ng = c.get("ngrams");
            if (ng != null && !ng.isNull()) {
                if (ng.isIntegralNumber()) {
                    p.ngrams = new int[ng.asInt()];
                    for (int i = 0; i < p.ngrams.length; i++) p.ngrams[i] = i + 1;
                } else {
                    p.ngrams = new int[ng.size()];
                    for (int i = 0; i < p.ngrams.length; i++) p.ngrams[i] = ng.get(i).asInt();
                }
            }
            if (Json.isPresent(c, "ragged") && c.get("ragged").asBoolean()) {
                ctx.unsupported(l, "ragged", "a ragged output is not supported (DL4J tensors are dense)");
                return false;
            }
            if (p.outputMode.equals("int")) {
                if (!Json.isPresent(c, "output_sequence_length")) {
                    ctx.unsupported(l, "output_sequence_length", "output_mode 'int' without output_sequence_length pads each"
                            + " batch to its longest text, so the output's length depends on the batch; set"
                            + " output_sequence_length in Keras and re-save");
                    return false;
                }
                p.sequenceLength = c.get("output_sequence_length").asInt();
            }
        } else {
            p.numOov = Json.isPresent(c, "num_oov_indices") ? c.get("num_oov_indices").asInt() : 1;
            JsonNode m = c.get("mask_token"), o = c.get("oov_token");
            p.maskToken = m == null || m.isNull() ? null : m.asText();
            p.oovToken = o == null || o.isNull() ? null : o.asText();
            p.invert = Json.isPresent(c, "invert") && c.get("invert").asBoolean();
            p.farmhashOov = "farmhash".equals(Json.text(c, "oov_method"));
            if (!salt(l, p, ctx)) return false;
            if (p.invert && l.className().equals("StringLookup")) {
                ctx.unsupported(l, "invert", "StringLookup with invert=True outputs strings, which a DL4J graph cannot carry");
                return false;
            }
            String enc = Json.text(c, "encoding");
            if (enc != null && !enc.equalsIgnoreCase("utf-8") && !enc.equalsIgnoreCase("utf8")) {
                ctx.unsupported(l, "encoding", "encoding '" + enc + "' is not supported (only utf-8)");
                return false;
            }
        }
        p.oovStart = p.maskToken != null && p.outputMode.equals("int") ? 1 : 0;
        JsonNode v = c.get("vocabulary");
        if (v == null || !v.isArray()) {
            ctx.unsupported(l, "vocabulary", (v != null && v.isTextual() ? "a vocabulary in the file '" + v.asText()
                    + "' outside the model" : "no vocabulary in the file")
                    + ": Keras 3 keeps an adapted vocabulary in the .keras archive (assets/.../vocabulary.txt), which"
                    + " .h5 files do not hold; save the model as .keras");
            return false;
        }
        List<String> vocab = new ArrayList<>();
        for (JsonNode t : v) vocab.add(t.asText());
        // Keras' set_vocabulary: the special tokens, when the list starts with exactly them, are dropped
        List<String> special = new ArrayList<>();
        for (int i = 0; i < p.oovStart; i++) special.add(p.maskToken);
        for (int i = 0; i < p.numOov; i++) special.add(p.oovToken);
        if (vocab.size() >= special.size() && vocab.subList(0, special.size()).equals(special))
            vocab = vocab.subList(special.size(), vocab.size());
        p.vocabulary = vocab.toArray(new String[0]);
        boolean pad = Json.isPresent(c, "pad_to_max_tokens") && c.get("pad_to_max_tokens").asBoolean() && Json.isPresent(c, "max_tokens");
        p.depth = pad ? c.get("max_tokens").asInt() : p.oovStart + p.numOov + p.vocabulary.length;
        return true;
    }
}
