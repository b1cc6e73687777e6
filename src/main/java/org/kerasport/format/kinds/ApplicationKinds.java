package org.kerasport.format.kinds;

import static org.kerasport.format.kinds.LayerKind.kind;

import java.util.List;

/** Layers keras.applications defines for its own models. */
final class ApplicationKinds {
    private ApplicationKinds() {
    }

    static List<LayerKind> all() {
        return List.of(
                kind("CustomScaleLayer").sameShape(), // InceptionResNetV2: inputs[0] + inputs[1] * scale
                kind("LayerScale").sameShape().weights((l, v) -> { // ConvNeXt
                    v.add("gamma", "gamma", true, "vars/0");
                    return true;
                }),
                kind("StochasticDepth").sameShape()); // ConvNeXt; identity at inference
    }
}
