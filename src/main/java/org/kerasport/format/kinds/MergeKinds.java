package org.kerasport.format.kinds;

import static org.kerasport.format.kinds.LayerKind.kind;

import java.util.List;
import org.kerasport.format.kinds.LayerKind.ShapeRule;

/** The merging layers (keras.layers.merging) and the Keras 3 operation layers Kerasport computes. */
final class MergeKinds {
    private MergeKinds() {
    }

    /** Element-wise: the inputs broadcast (an operation layer's constant operand leaves the shape as it is). */
    private static final ShapeRule BROADCAST = (l, ins, x) -> Shapes.broadcast(ins);

    static List<LayerKind> all() {
        return List.of(
                kind("Add").shape(BROADCAST),
                kind("Subtract").shape(BROADCAST),
                kind("Multiply").shape(BROADCAST),
                kind("Average").shape(BROADCAST),
                kind("Maximum").shape(BROADCAST),
                kind("Minimum").shape(BROADCAST),
                kind("Concatenate").shape((l, ins, x) -> {
                    Long[] in = ins.get(0);
                    int axis = l.config().has("axis") ? l.config().get("axis").asInt() : -1;
                    int ax = axis < 0 ? in.length + axis : axis;
                    long sum = 0;
                    for (Long[] s : ins) {
                        if (s[ax] == null) return Shapes.with(in, ax, null);
                        sum += s[ax];
                    }
                    return Shapes.with(in, ax, sum);
                }),
                kind("Dot"),
                // operation layers (a keras.ops call on a symbolic tensor), named ops.<module>.<Class>
                kind("ops.numpy.Add").shape(BROADCAST),
                kind("ops.numpy.Subtract").shape(BROADCAST),
                kind("ops.numpy.Multiply").shape(BROADCAST),
                kind("ops.numpy.Divide").shape(BROADCAST),
                kind("ops.numpy.TrueDivide").shape(BROADCAST));
    }
}
