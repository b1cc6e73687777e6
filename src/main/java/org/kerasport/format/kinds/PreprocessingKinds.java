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

    static List<LayerKind> all() {
        return List.of(
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
