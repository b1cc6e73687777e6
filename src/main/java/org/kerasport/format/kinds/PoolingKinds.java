package org.kerasport.format.kinds;

import static org.kerasport.format.kinds.LayerKind.kind;

import java.util.List;
import org.kerasport.format.kinds.LayerKind.ShapeRule;

/** Pooling (keras.layers.pooling): windowed and global. */
final class PoolingKinds {
    private PoolingKinds() {
    }

    private static final ShapeRule POOL = (l, ins, x) -> {
        Long[] in = ins.get(0);
        boolean cf = Cfg.channelsFirst(l.config());
        return Shapes.spatial(in, cf, in[Shapes.channelAxis(in, cf)], l.config(), "pool");
    };

    /** (batch, channels), or every spatial axis kept as 1 with {@code keepdims}. */
    private static final ShapeRule GLOBAL = (l, ins, x) -> {
        Long[] in = ins.get(0);
        boolean cf = Cfg.channelsFirst(l.config());
        Long ch = in[Shapes.channelAxis(in, cf)];
        if (l.config().has("keepdims") && l.config().get("keepdims").asBoolean()) {
            Long[] o = in.clone();
            for (int i = 1; i < o.length; i++) if (i != Shapes.channelAxis(o, cf)) o[i] = 1L;
            return o;
        }
        return new Long[]{in[0], ch};
    };

    /** Keras 3's adaptive poolings: {@code output_size} on every spatial axis. */
    private static final ShapeRule ADAPTIVE = (l, ins, x) -> {
        Long[] in = ins.get(0);
        boolean cf = Cfg.channelsFirst(l.config());
        int dims = in.length - 2;
        long[] size = Shapes.ints(l.config().get("output_size"), dims);
        Long[] o = in.clone();
        for (int i = 0; i < dims; i++) o[cf ? i + 2 : i + 1] = size[i];
        return o;
    };

    static List<LayerKind> all() {
        return List.of(
                kind("MaxPooling1D").alias("MaxPool1D").shape(POOL),
                kind("MaxPooling2D").alias("MaxPool2D").shape(POOL),
                kind("MaxPooling3D").alias("MaxPool3D").shape(POOL),
                kind("AveragePooling1D").alias("AvgPool1D").shape(POOL),
                kind("AveragePooling2D").alias("AvgPool2D").shape(POOL),
                kind("AveragePooling3D").alias("AvgPool3D").shape(POOL),
                kind("GlobalMaxPooling1D").alias("GlobalMaxPool1D").shape(GLOBAL),
                kind("GlobalMaxPooling2D").alias("GlobalMaxPool2D").shape(GLOBAL),
                kind("GlobalMaxPooling3D").alias("GlobalMaxPool3D").shape(GLOBAL),
                kind("GlobalAveragePooling1D").alias("GlobalAvgPool1D").shape(GLOBAL),
                kind("GlobalAveragePooling2D").alias("GlobalAvgPool2D").shape(GLOBAL),
                kind("GlobalAveragePooling3D").alias("GlobalAvgPool3D").shape(GLOBAL),
                kind("AdaptiveAveragePooling1D").shape(ADAPTIVE),
                kind("AdaptiveAveragePooling2D").shape(ADAPTIVE),
                kind("AdaptiveAveragePooling3D").shape(ADAPTIVE),
                kind("AdaptiveMaxPooling1D").shape(ADAPTIVE),
                kind("AdaptiveMaxPooling2D").shape(ADAPTIVE),
                kind("AdaptiveMaxPooling3D").shape(ADAPTIVE));
    }
}
