package org.kerasport.format.kinds;

import static org.kerasport.format.kinds.LayerKind.kind;

import java.util.List;

/** Preprocessing layers that carry state or math, and the augmentation layers (identity at inference). */
final class PreprocessingKinds {
    private PreprocessingKinds() {
    }

    /** Resizing and CenterCrop: (batch, height, width, channels) with the configured height and width. */
    private static final LayerKind.ShapeRule RESIZE = (l, ins, x) -> {
        Long[] o = ins.get(0).clone();
        boolean cf = Cfg.channelsFirst(l.config());
        o[cf ? 2 : 1] = l.config().get("height").asLong();
        o[cf ? 3 : 2] = l.config().get("width").asLong();
        return o;
    };

    /**
     * The size of the encoded axis of a stateful preprocessing layer (CategoryEncoding, Discretization, Hashing, the
     * lookups and TextVectorization), as Keras computes it; -1 when the config does not say.
     */
    public static long encodedDepth(com.fasterxml.jackson.databind.JsonNode c, String className) {
        switch (className) {
            case "CategoryEncoding":
                return Cfg.isPresent(c, "num_tokens") ? c.get("num_tokens").asLong() : -1;
            case "Discretization":
                return Cfg.isPresent(c, "bin_boundaries") ? c.get("bin_boundaries").size() + 1 : -1;
            case "Hashing":
                return Cfg.isPresent(c, "num_bins") ? c.get("num_bins").asLong() : -1;
            default:
                break;
        }
        if (Cfg.flag(c, "pad_to_max_tokens", false) && Cfg.isPresent(c, "max_tokens")) return c.get("max_tokens").asLong();
        if (Cfg.isPresent(c, "vocabulary_size")) return c.get("vocabulary_size").asLong();
        return -1;
    }

    /** CategoryEncoding, Discretization, Hashing, the lookups, TextVectorization: their output_mode's shape. */
    private static final LayerKind.ShapeRule ENCODED = (l, ins, x) -> {
        Long[] in = ins.get(0);
        String mode = Cfg.text(l.config(), "output_mode");
        if (mode == null) mode = "int";
        long depth = encodedDepth(l.config(), l.className());
        Long d = depth < 0 ? null : depth;
        if (l.className().equals("TextVectorization")) {
            if (mode.equals("int"))
                return new Long[]{in[0], Cfg.isPresent(l.config(), "output_sequence_length") ? l.config().get("output_sequence_length").asLong() : null};
            return new Long[]{in[0], d};
        }
        switch (mode) {
            case "int":
                return in.clone();
            case "one_hot": {
                int n = in.length > 1 && in[in.length - 1] != null && in[in.length - 1] == 1 ? in.length - 1 : in.length;
                Long[] o = java.util.Arrays.copyOf(in, n + 1);
                o[n] = d;
                return o;
            }
            default:
                return new Long[]{in[0], d};
        }
    };

    static List<LayerKind> all() {
        return List.of(
                kind("CategoryEncoding").shape(ENCODED),
                kind("Discretization").shape(ENCODED),
                kind("Hashing").shape(ENCODED),
                kind("IntegerLookup").shape(ENCODED),
                kind("StringLookup").shape(ENCODED),
                kind("TextVectorization").shape(ENCODED),
                kind("Rescaling").sameShape(),
                kind("Normalization").sameShape().weights((l, v) -> {
                    // mean/variance given in the config are constants: Keras creates no variables then (build())
                    if (Cfg.isPresent(l.config(), "mean") || Cfg.isPresent(l.config(), "variance")) return true;
                    v.add("mean", "mean", false, "vars/0");
                    v.add("variance", "variance", false, "vars/1");
                    v.add("count", "count", false, "vars/2");
                    return true;
                }),
                kind("CenterCrop").shape(RESIZE),
                kind("Resizing").shape(RESIZE),
                kind("RandomFlip").sameShape(),
                kind("RandomRotation").sameShape(),
                kind("RandomZoom").sameShape(),
                kind("RandomTranslation").sameShape(),
                kind("RandomContrast").sameShape(),
                kind("RandomBrightness").sameShape(),
                // Keras 3 returns its input unchanged at inference (crops and resizes only in training)
                kind("RandomCrop").sameShape());
    }
}
