package org.kerasport.format.kinds;

import static org.kerasport.format.kinds.LayerKind.kind;

import java.util.List;
import org.kerasport.format.kinds.LayerKind.ShapeRule;

/** Padding, cropping and upsampling over the spatial axes (keras.layers.reshaping). */
final class SpatialKinds {
    private SpatialKinds() {
    }

    /** Each spatial axis grows ({@code sign} +1, field padding) or shrinks (-1, field cropping) by before + after. */
    private static ShapeRule border(String field, int sign) {
        return (l, ins, x) -> {
            Long[] in = ins.get(0);
            boolean cf = Cfg.channelsFirst(l.config());
            int dims = in.length - 2;
            long[][] p = Shapes.pairs(l.config().get(field), dims);
            Long[] o = in.clone();
            for (int i = 0; i < dims; i++) {
                int ax = cf ? i + 2 : i + 1;
                if (o[ax] != null) o[ax] = o[ax] + sign * (p[i][0] + p[i][1]);
            }
            return o;
        };
    }

    private static final ShapeRule PAD = border("padding", 1), CROP = border("cropping", -1);

    /** Each spatial axis times its {@code size}. */
    private static final ShapeRule UPSAMPLE = (l, ins, x) -> {
        Long[] in = ins.get(0);
        boolean cf = Cfg.channelsFirst(l.config());
        int dims = in.length - 2;
        long[] f = Shapes.ints(l.config().get("size"), dims);
        Long[] o = in.clone();
        for (int i = 0; i < dims; i++) {
            int ax = cf ? i + 2 : i + 1;
            if (o[ax] != null) o[ax] = o[ax] * f[i];
        }
        return o;
    };

    static List<LayerKind> all() {
        return List.of(
                kind("ZeroPadding1D").shape(PAD),
                kind("ZeroPadding2D").shape(PAD),
                kind("ZeroPadding3D").shape(PAD),
                kind("Cropping1D").shape(CROP),
                kind("Cropping2D").shape(CROP),
                kind("Cropping3D").shape(CROP),
                kind("UpSampling1D").shape(UPSAMPLE),
                kind("UpSampling2D").shape(UPSAMPLE),
                kind("UpSampling3D").shape(UPSAMPLE));
    }
}
