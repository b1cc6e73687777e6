package org.kerasport.format.kinds;

import static org.kerasport.format.kinds.LayerKind.kind;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.kerasport.format.kinds.LayerKind.WeightRule;

/** Normalization layers (keras.layers.normalization). */
final class NormalizationKinds {
    private NormalizationKinds() {
    }

    /** gamma (scale), beta (center), then the moving statistics (not trainable). */
    private static final WeightRule BATCH_NORM = (l, v) -> {
        JsonNode c = l.config();
        int i = 0;
        if (Cfg.flag(c, "scale", true)) v.add("gamma", "gamma", true, "vars/" + i++);
        if (Cfg.flag(c, "center", true)) v.add("beta", "beta", true, "vars/" + i++);
        v.add("moving_mean", "moving_mean", false, "vars/" + i++);
        v.add("moving_variance", "moving_variance", false, "vars/" + i);
        return true;
    };

    /** gamma (scale), beta (center, never with rms_scaling). */
    private static final WeightRule LAYER_NORM = (l, v) -> {
        JsonNode c = l.config();
        int i = 0;
        boolean rms = Cfg.flag(c, "rms_scaling", false);
        if (Cfg.flag(c, "scale", true)) v.add("gamma", "gamma", true, "vars/" + i++);
        if (!rms && Cfg.flag(c, "center", true)) v.add("beta", "beta", true, "vars/" + i);
        return true;
    };

    static List<LayerKind> all() {
        return List.of(
                kind("BatchNormalization").sameShape().weights(BATCH_NORM).upgrade((l, c, notes) -> { // Keras 1
                    c.remove("mode");
                    Cfg.rename(c, "beta_init", "beta_initializer");
                    Cfg.rename(c, "gamma_init", "gamma_initializer");
                    if (c.has("axis") && c.get("axis").isArray() && c.get("axis").size() == 1) c.set("axis", c.get("axis").get(0));
                }),
                kind("SyncBatchNormalization").sameShape().weights(BATCH_NORM),
                kind("LayerNormalization").sameShape().weights(LAYER_NORM),
                kind("GroupNormalization").sameShape().weights(LAYER_NORM),
                kind("UnitNormalization").sameShape(),
                kind("RMSNormalization").sameShape().weights((l, v) -> {
                    v.add("scale", "scale", true, "vars/0");
                    return true;
                }),
                kind("SpectralNormalization").untabledWeights());
    }
}
