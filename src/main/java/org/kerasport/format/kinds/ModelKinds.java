package org.kerasport.format.kinds;

import static org.kerasport.format.kinds.LayerKind.kind;

import java.util.List;
import org.kerasport.format.kinds.LayerKind.ShapeRule;
import org.kerasport.format.kinds.LayerKind.WeightRule;

/** Models used as layers (and at the top level). */
final class ModelKinds {
    private ModelKinds() {
    }

    private static final ShapeRule MODEL = (l, ins, x) -> x.model(l.inner(), ins);
    private static final WeightRule NESTED = (l, v) -> v.addModel(l.inner());

    static List<LayerKind> all() {
        return List.of(
                kind("Sequential").shape(MODEL).weights(NESTED),
                kind("Functional").alias("Model").shape(MODEL).weights(NESTED));
    }
}
