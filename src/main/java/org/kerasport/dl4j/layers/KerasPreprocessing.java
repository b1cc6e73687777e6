package org.kerasport.dl4j.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kerasport.BadDataException;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * What Keras' stateful preprocessing layers compute at inference, from their saved configuration (and vocabulary):
 * {@code CategoryEncoding}, {@code Discretization}, {@code IntegerLookup}, {@code StringLookup}, {@code Hashing} and
 * {@code TextVectorization}. Numbers (ids, values) arrive as the floats of a DL4J activation ({@link
 * KerasPreprocessVertex}); strings before the DL4J graph (the model's string inputs are turned into these layers'
 * outputs first). Everything follows Keras 3.15's TensorFlow implementation (index_lookup.py, hashing.py,
 * text_vectorization.py, numerical_utils.encode_categorical_inputs):
 * <ul>
 * <li>a lookup maps a token at vocabulary position i to {@code tokenStart + i}; the mask token to 0 in {@code int}
 *     mode (dropped otherwise); an unknown token to the OOV index ({@code oovStart}, or with several OOV indices
 *     {@code oovStart + floormod(id, n)} for ids, {@code oovStart + Fingerprint64(token) mod n} for strings or with
 *     {@code oov_method='farmhash'}); with {@code num_oov_indices=0} an unknown token is an error, as in Keras;</li>
 * <li>{@code Hashing}: the value as its decimal string (floats truncated to int64 first), Fingerprint64 (SipHash-2-4
 *     with a salt) modulo the bins, shifted past bin 0 when a {@code mask_value} is set;</li>
 * <li>{@code Discretization}: the number of float32 boundaries ≤ x;</li>
 * <li>output modes: {@code int} (the index), {@code one_hot} (a trailing axis of size 1 squeezed first),
 *     {@code multi_hot} and {@code count} over the last axis of a 2-D input; indices outside [0, depth) count
 *     nowhere.</li>
 * </ul>
 */
public class KerasPreprocessing {
    /** category_encoding, discretization, integer_lookup, string_lookup, hashing, text_vectorization. */
    @JsonProperty
    public String kind;
    @JsonProperty
    public String outputMode = "int";
    /** Size of the encoded axis (one_hot, multi_hot, count). */
    @JsonProperty
    public int depth;
    @JsonProperty
    public double[] boundaries;
    /** The vocabulary without its special tokens (ids as decimal strings). */
    @JsonProperty
    public String[] vocabulary;
    @JsonProperty
    public int numOov = 1;
    @JsonProperty
    public int oovStart;
    @JsonProperty
    public String maskToken;
    @JsonProperty
    public String oovToken;
    @JsonProperty
    public boolean invert;
    @JsonProperty
    public boolean farmhashOov;
    /** SipHash key (Hashing's salt, or a lookup's salt for its OOV buckets); null: Fingerprint64. */
    @JsonProperty
    public long[] salt;
    @JsonProperty
    public int numBins;
    /** Hashing's mask_value (as its decimal string for ids); null: none. */
    @JsonProperty
    public String maskValue;
    /** TextVectorization: standardize (null, lower, strip_punctuation, lower_and_strip_punctuation). */
    @JsonProperty
    public String standardize;
    /** TextVectorization: split (null, whitespace, character). */
    @JsonProperty
    public String split;
    @JsonProperty
    public int[] ngrams;
    /** TextVectorization int mode: tokens padded with 0 or cut to this length. */
    @JsonProperty
    public int sequenceLength;

    @JsonIgnore
    private transient Map<String, Integer> index;

    public KerasPreprocessing() {
    }

    /** True when the layer's input is a string tensor (computed before the DL4J graph). */
    @JsonProperty
    public boolean strings;

    private synchronized Map<String, Integer> index() {
        if (index == null) {
            Map<String, Integer> m = new HashMap<>();
            for (int i = 0; i < vocabulary.length; i++) m.putIfAbsent(vocabulary[i], i);
            index = m;
        }
        return index;
    }

    private int tokenStart() {
        return oovStart + numOov;
    }

    /** Marks an index that counts nowhere (a mask in a non-int mode). */
    private static final long DROP = Long.MAX_VALUE;

    /** A lookup layer's index of one token ({@code id} is its integer value for IntegerLookup, else unused). */
    long lookup(String token, long id, boolean isInt) {
        if (maskToken != null && maskToken.equals(token)) return outputMode.equals("int") ? 0 : DROP;
        Integer i = index().get(token);
        if (i != null) return tokenStart() + i;
        if (numOov == 0)
            throw new BadDataException("value '" + token + "' is not in the vocabulary of a lookup layer with num_oov_indices=0"
                    + " (Keras raises an error for it too): add the value to the vocabulary or use num_oov_indices >= 1");
        if (numOov == 1) return oovStart;
        if (isInt && !farmhashOov) return oovStart + Math.floorMod(id, (long) numOov);
        return oovStart + hashBucket(token, numOov);
    }

    private long hashBucket(String s, long buckets) {
        return salt == null ? KerasHash.fastBucket(s, buckets) : KerasHash.strongBucket(s, salt[0], salt[1], buckets);
    }

    /** Hashing's bin of one value. */
    long hash(String s) {
        long bins = numBins;
        boolean masked = maskValue != null && bins > 1;
        if (masked && maskValue.equals(s)) return 0;
        long b = hashBucket(s, masked ? bins - 1 : bins);
        return masked ? b + 1 : b;
    }

    /** IntegerLookup with invert: the id at an index. */
    long inverse(long idx) {
        if (maskToken != null && idx == 0) return Long.parseLong(maskToken);
        long t = idx - tokenStart();
        if (t >= 0 && t < vocabulary.length) return Long.parseLong(vocabulary[(int) t]);
        return Long.parseLong(oovToken);
    }

    /** The index of one number. */
    long indexOf(float v) {
        return switch (kind) {
            case "category_encoding" -> (long) v;
            case "discretization" -> {
                int n = 0;
                for (double b : boundaries) if ((float) b <= v) n++;
                yield n;
            }
            case "integer_lookup" -> invert ? inverse((long) v) : lookup(Long.toString((long) v), (long) v, true);
            case "hashing" -> hash(Long.toString((long) v));
            default -> throw new IllegalStateException(kind + " takes strings");
        };
    }

    /** The index of one string (StringLookup, Hashing of strings). */
    long indexOf(String s) {
        return switch (kind) {
            case "string_lookup" -> lookup(s, 0, false);
            case "hashing" -> hash(s);
            default -> throw new IllegalStateException(kind + " takes numbers");
        };
    }

    /** The Keras output shape (batch first) for an input of this shape. */
    public long[] outputShape(long[] in) {
        if (kind.equals("text_vectorization")) {
            if (outputMode.equals("int")) return new long[]{in[0], sequenceLength};
            return new long[]{in[0], depth};
        }
        return switch (outputMode) {
            case "int" -> in.clone();
            case "one_hot" -> {
                long[] base = in.length > 1 && in[in.length - 1] == 1 ? Arrays.copyOf(in, in.length - 1) : in;
                long[] o = Arrays.copyOf(base, base.length + 1);
                o[base.length] = depth;
                yield o;
            }
            default -> new long[]{in[0], depth}; // multi_hot, count: over the last axis of [batch, n]
        };
    }

    /** Applies the layer to numbers laid out in C order with {@code shape} (batch first). */
    public float[] apply(float[] x, long[] shape) {
        long[] idx = new long[x.length];
        for (int i = 0; i < x.length; i++) idx[i] = indexOf(x[i]);
        return encode(idx, shape);
    }

    /** Applies the layer to strings laid out in C order with {@code shape} (batch first). */
    public float[] apply(String[] x, long[] shape) {
        if (kind.equals("text_vectorization")) return vectorize(x, shape);
        long[] idx = new long[x.length];
        for (int i = 0; i < x.length; i++) idx[i] = indexOf(x[i]);
        return encode(idx, shape);
    }

    private float[] encode(long[] idx, long[] shape) {
        long[] os = outputShape(shape);
        int size = 1;
        for (long d : os) size = Math.multiplyExact(size, (int) d);
        float[] out = new float[size];
        switch (outputMode) {
            case "int" -> {
                for (int i = 0; i < idx.length; i++) out[i] = idx[i];
            }
            case "one_hot" -> {
                for (int i = 0; i < idx.length; i++) if (idx[i] >= 0 && idx[i] < depth) out[i * depth + (int) idx[i]] = 1;
            }
            default -> {
                int n = (int) shape[shape.length - 1];
                for (int r = 0; r < shape[0]; r++)
                    for (int j = 0; j < n; j++) {
                        long k = idx[r * n + j];
                        if (k < 0 || k >= depth) continue;
                        if (outputMode.equals("count")) out[r * depth + (int) k] += 1;
                        else out[r * depth + (int) k] = 1;
                    }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- TextVectorization

    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /** tf.strings.lower without an encoding (Keras passes none): ASCII letters only. */
    static String standardized(String s, String mode) {
        if (mode == null) return s;
        StringBuilder b = new StringBuilder(s.length());
        boolean lower = mode.equals("lower") || mode.equals("lower_and_strip_punctuation");
        boolean strip = mode.equals("strip_punctuation") || mode.equals("lower_and_strip_punctuation");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (strip && PUNCTUATION.indexOf(c) >= 0) continue;
            if (lower && c >= 'A' && c <= 'Z') c = (char) (c + 32);
            b.append(c);
        }
        return b.toString();
    }

    private static boolean asciiSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    /** The tokens of one (standardized) string. */
    List<String> tokens(String s) {
        List<String> t = new ArrayList<>();
        if (split == null) t.add(s);
        else if (split.equals("character")) s.codePoints().forEach(cp -> t.add(new String(Character.toChars(cp))));
        else {
            int i = 0;
            while (i < s.length()) {
                while (i < s.length() && asciiSpace(s.charAt(i))) i++;
                int j = i;
                while (j < s.length() && !asciiSpace(s.charAt(j))) j++;
                if (j > i) t.add(s.substring(i, j));
                i = j;
            }
        }
        if (ngrams == null) return t;
        List<String> g = new ArrayList<>();
        for (int w : ngrams)
            for (int k = 0; k + w <= t.size(); k++) g.add(String.join(" ", t.subList(k, k + w)));
        return g;
    }

    private float[] vectorize(String[] x, long[] shape) {
        int rows = (int) shape[0];
        if (x.length != rows) throw new BadDataException("TextVectorization takes one string per row; got shape " + Arrays.toString(shape));
        int width = outputMode.equals("int") ? sequenceLength : depth;
        float[] out = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            List<String> toks = tokens(standardized(x[r], standardize));
            if (outputMode.equals("int")) {
                for (int j = 0; j < Math.min(width, toks.size()); j++) out[r * width + j] = lookup(toks.get(j), 0, false);
            } else {
                for (String tok : toks) {
                    long k = lookup(tok, 0, false);
                    if (k < 0 || k >= depth) continue;
                    if (outputMode.equals("count")) out[r * width + (int) k] += 1;
                    else out[r * width + (int) k] = 1;
                }
            }
        }
        return out;
    }
}
