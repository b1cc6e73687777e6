package org.kerasport.format.kinds;

import static org.kerasport.format.kinds.CoreKinds.KERNEL_BIAS;
import static org.kerasport.format.kinds.LayerKind.kind;

import java.util.List;
import org.kerasport.format.kinds.LayerKind.ConfigUpgrade;
import org.kerasport.format.kinds.LayerKind.ShapeRule;
import org.kerasport.format.kinds.LayerKind.WeightRule;

/** Convolutions (keras.layers.convolutional) and Keras 2's locally connected layers. */
final class ConvKinds {
    private ConvKinds() {
    }

    /** A convolution with {@code filters} output channels ({@code deconv}: transposed). */
    private static ShapeRule conv(String kind) {
        return (l, ins, x) -> {
            boolean cf = Cfg.channelsFirst(l.config());
            return Shapes.spatial(ins.get(0), cf, l.config().get("filters").asLong(), l.config(), kind);
        };
    }

    private static final ShapeRule CONV = conv("conv"), DECONV = conv("deconv");

    /** Input channels times {@code depth_multiplier}. */
    private static final ShapeRule DEPTHWISE = (l, ins, x) -> {
        Long[] in = ins.get(0);
        boolean cf = Cfg.channelsFirst(l.config());
        Long inCh = in[Shapes.channelAxis(in, cf)];
        long ch = inCh * (l.config().has("depth_multiplier") ? l.config().get("depth_multiplier").asLong() : 1);
        return Shapes.spatial(in, cf, ch, l.config(), "conv");
    };

    /** Keras 3 calls the variable 'kernel' (tf.keras: depthwise_kernel); its regularizer is depthwise_regularizer. */
    private static final WeightRule DEPTHWISE_WEIGHTS = (l, v) -> {
        v.add("kernel", "depthwise_kernel", true, "vars/0", "depthwise_regularizer");
        if (Cfg.bias(l.config())) v.add("bias", "bias", true, "vars/1");
        return true;
    };

    private static final WeightRule SEPARABLE_WEIGHTS = (l, v) -> {
        v.add("depthwise_kernel", "depthwise_kernel", true, "vars/0");
        v.add("pointwise_kernel", "pointwise_kernel", true, "vars/1");
        if (Cfg.bias(l.config())) v.add("bias", "bias", true, "vars/2");
        return true;
    };

    /** Keras 3's DepthwiseConv takes no groups. */
    private static final ConfigUpgrade DEPTHWISE_UPGRADE = (l, c, notes) -> c.remove("groups");

    /** tf.keras wrote the kernel_* keys of its Conv base on SeparableConv; Keras 3 refuses them. */
    private static final ConfigUpgrade SEPARABLE_UPGRADE = (l, c, notes) -> {
        c.remove("kernel_initializer");
        c.remove("kernel_regularizer");
        c.remove("kernel_constraint");
    };

    static List<LayerKind> all() {
        return List.of(
                kind("Conv1D").alias("Convolution1D", "AtrousConvolution1D").shape(CONV).weights(KERNEL_BIAS)
                        .keras1Weights((l, a) -> { // Keras 1 kept Conv1D kernels as (length, 1, in, filters)
                            long[] k = a.size() == 0 ? null : a.shape(0);
                            if (k != null && k.length == 4 && k[1] == 1) a.reshape(0, new long[]{k[0], k[2], k[3]});
                        }),
                kind("Conv2D").alias("Convolution2D", "AtrousConvolution2D").shape(CONV).weights(KERNEL_BIAS)
                        .keras1Weights((l, a) -> { // Theano ordering: (out, in, rows, cols) -> (rows, cols, in, out)
                            if (a.size() > 0 && a.shape(0).length == 4 && Cfg.channelsFirst(l.config()))
                                a.transpose(0, new int[]{2, 3, 1, 0});
                        }),
                kind("Conv3D").alias("Convolution3D").shape(CONV).weights(KERNEL_BIAS),
                kind("Conv1DTranspose").shape(DECONV).weights(KERNEL_BIAS),
                kind("Conv2DTranspose").alias("Deconvolution2D", "Convolution2DTranspose").shape(DECONV).weights(KERNEL_BIAS),
                kind("Conv3DTranspose").alias("Deconvolution3D").shape(DECONV).weights(KERNEL_BIAS),
                kind("SeparableConv1D").alias("SeparableConvolution1D").shape(CONV).weights(SEPARABLE_WEIGHTS)
                        .upgrade(SEPARABLE_UPGRADE),
                kind("SeparableConv2D").alias("SeparableConvolution2D").shape(CONV).weights(SEPARABLE_WEIGHTS)
                        .upgrade(SEPARABLE_UPGRADE),
                kind("DepthwiseConv1D").shape(DEPTHWISE).weights(DEPTHWISE_WEIGHTS).upgrade(DEPTHWISE_UPGRADE),
                kind("DepthwiseConv2D").alias("DepthwiseConvolution2D").shape(DEPTHWISE).weights(DEPTHWISE_WEIGHTS)
                        .upgrade(DEPTHWISE_UPGRADE),
                kind("LocallyConnected1D").weights(KERNEL_BIAS),
                kind("LocallyConnected2D").weights(KERNEL_BIAS));
    }
}
