package org.kerasport.export.dl4j;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.kerasport.dl4j.layers.KerasConvolution2D;
import org.kerasport.dl4j.layers.KerasSubsampling;
import org.kerasport.format.Json;

/**
 * The 2-D image layers: ConvolutionLayer (Conv2D, explicit padding as a ZeroPadding2D before it),
 * SeparableConvolution2D, DepthwiseConvolution2D, Deconvolution2D (Conv2DTranspose), SubsamplingLayer
 * (Max/AveragePooling2D), ZeroPadding/Cropping/Upsampling 2-D; and GlobalPoolingLayer over sequences, images and
 * volumes. Kernels come out through the importer's layouts: Keras (kh, kw, in, out) is DL4J's [out, in, kh, kw]
 * ({@code permute(3, 2, 0, 1)}; a transposed convolution's [in, out, kh, kw] is Keras' (kh, kw, out, in), the same
 * permutation); a depthwise kernel is Keras' (kh, kw, in, multiplier) in both.
 */
final class ConvExporters {
    private ConvExporters() {
    }

    static void register(LayerExporters r) {
        r.exact(ConvolutionLayer.class, ConvExporters::conv2d);
        r.withSubclasses(KerasConvolution2D.class, ConvExporters::conv2d);
        r.exact(Deconvolution2D.class, ConvExporters::otherConv);
        r.exact(DepthwiseConvolution2D.class, ConvExporters::otherConv);
        r.withSubclasses(SeparableConvolution2D.class, ConvExporters::otherConv);
        r.exact(SubsamplingLayer.class, ConvExporters::subsampling);
        r.exact(KerasSubsampling.class, ConvExporters::subsampling);
        r.withSubclasses(ZeroPaddingLayer.class, (z, e) -> padOrCrop(z.getPadding(), true, z, e));
        r.withSubclasses(Cropping2D.class, (c, e) -> padOrCrop(c.getCropping(), false, c, e));
        r.withSubclasses(Upsampling2D.class, ConvExporters::upsampling);
        r.withSubclasses(GlobalPoolingLayer.class, ConvExporters::globalPooling);
    }

    /** Kernel and bias of a convolution whose kernel is Keras (kh, kw, a, b) against DL4J's [b, a, kh, kw]. */
    static final Weights.Source CONV2D_WEIGHTS = w -> switch (Weights.role(w)) {
        case "kernel" -> Weights.permuted("W", 3, 2, 0, 1);
        case "bias" -> Weights.vector("b");
        default -> null;
    };

    private static ObjectNode conv2d(ConvolutionLayer cv, Emit e) {
        if (!e.in().image()) return e.noCounterpart(cv);
        ObjectNode lc = e.config("Conv2D");
        lc.put("filters", cv.getNOut());
        KerasJson.pair(lc, "kernel_size", cv.getKernelSize());
        KerasJson.pair(lc, "strides", cv.getStride());
        boolean padded = zeroPadBefore(e, cv.getConvolutionMode(), cv.getPadding());
        String pad = padded ? "valid" : e.padding(cv.getConvolutionMode(), cv.getPadding());
        lc.put("padding", pad);
        lc.put("data_format", e.dataFormat());
        KerasJson.pair(lc, "dilation_rate", cv.getDilation());
        lc.put("groups", 1);
        e.activation(lc, cv.getActivationFn(), "ConvolutionLayer");
        lc.put("use_bias", cv.hasBias());
        lc.set("kernel_regularizer", e.regularizer(cv.getRegularization(), "regularization"));
        lc.set("bias_regularizer", e.regularizer(cv.getRegularizationBias(), "regularizationBias"));
        checkFormat(cv.getCnn2dDataFormat(), "ConvolutionLayer", e);
        e.out(e.in().spatial(cv.getKernelSize(), cv.getStride(), cv.getDilation(), pad, cv.getNOut()));
        e.weights(CONV2D_WEIGHTS);
        return lc;
    }

    private static void checkFormat(CNN2DFormat f, String cls, Emit e) {
        if (f != (e.in().nchw() ? CNN2DFormat.NCHW : CNN2DFormat.NHWC))
            e.problem(cls, "dataFormat", "a change of channel order inside the network");
    }

    /** Deconvolution2D (Conv2DTranspose), DepthwiseConvolution2D and SeparableConvolution2D. */
    private static ObjectNode otherConv(ConvolutionLayer cv, Emit e) {
        if (!e.in().image()) return e.noCounterpart(cv);
        Flow cur = e.in();
        String cls = cv instanceof Deconvolution2D ? "Conv2DTranspose" : cv instanceof DepthwiseConvolution2D ? "DepthwiseConv2D" : "SeparableConv2D";
        ObjectNode lc = e.config(cls);
        long outChannels = cv.getNOut();
        if (!cls.equals("DepthwiseConv2D")) lc.put("filters", cv.getNOut());
        KerasJson.pair(lc, "kernel_size", cv.getKernelSize());
        KerasJson.pair(lc, "strides", cv.getStride());
        // explicit padding: DL4J's depthwise and separable convolutions do not compute a convolution of the
        // zero-padded input with it (measured), and a transposed one crops its output: refused (padding())
        String pad = e.padding(cv.getConvolutionMode(), cv.getPadding());
        lc.put("padding", pad);
        lc.put("data_format", e.dataFormat());
        KerasJson.pair(lc, "dilation_rate", cv.getDilation());
        if (cv instanceof DepthwiseConvolution2D dw) {
            lc.put("depth_multiplier", dw.getDepthMultiplier());
            outChannels = cur.channels() * dw.getDepthMultiplier();
            lc.set("depthwise_regularizer", e.regularizer(cv.getRegularizationByParam("W"), "regularization"));
            // Keras 3 names the variable 'kernel' (tf.keras: depthwise_kernel); DL4J keeps Keras' (kh, kw, in, multiplier)
            e.weights(w -> switch (Weights.role(w)) {
                case "kernel", "depthwise_kernel" -> Weights.same("W");
                case "bias" -> Weights.vector("b");
                default -> null;
            });
        } else if (cv instanceof SeparableConvolution2D sc) {
            lc.put("depth_multiplier", sc.getDepthMultiplier());
            lc.set("depthwise_regularizer", e.regularizer(sc.getRegularizationByParam("W"), "regularization"));
            lc.set("pointwise_regularizer", e.regularizer(sc.getRegularizationByParam("pW"), "regularization"));
            // depthwise (kh, kw, in, dm) against [dm, in, kh, kw]; pointwise (1, 1, in*dm, out) against [out, in*dm, 1, 1]
            e.weights(w -> switch (Weights.role(w)) {
                case "depthwise_kernel" -> Weights.permuted("W", 3, 2, 0, 1);
                case "pointwise_kernel" -> Weights.permuted("pW", 3, 2, 0, 1);
                case "bias" -> Weights.vector("b");
                default -> null;
            });
        } else {
            lc.putNull("output_padding");
            lc.set("kernel_regularizer", e.regularizer(cv.getRegularization(), "regularization"));
            if (cv.getDilation()[0] != 1 || cv.getDilation()[1] != 1)
                e.problem("Deconvolution2D", "dilation", "a dilated transposed convolution is not generated");
            e.weights(CONV2D_WEIGHTS);
        }
        e.activation(lc, cv.getActivationFn(), cv.getClass().getSimpleName());
        lc.put("use_bias", cv.hasBias());
        lc.set("bias_regularizer", e.regularizer(cv.getRegularizationBias(), "regularizationBias"));
        checkFormat(cv.getCnn2dDataFormat(), cv.getClass().getSimpleName(), e);
        if (cls.equals("Conv2DTranspose")) {
            int[] k = cv.getKernelSize(), st = cv.getStride();
            boolean same = pad.equals("same");
            e.out(Flow.image(cur.height() == null ? null : same ? cur.height() * st[0] : (cur.height() - 1) * st[0] + k[0],
                    cur.imgWidth() == null ? null : same ? cur.imgWidth() * st[1] : (cur.imgWidth() - 1) * st[1] + k[1],
                    outChannels, cur.nchw()));
        } else {
            e.out(cur.spatial(cv.getKernelSize(), cv.getStride(), cv.getDilation(), pad, outChannels));
        }
        return lc;
    }

    private static ObjectNode subsampling(SubsamplingLayer sp, Emit e) {
        if (!e.in().image()) return e.noCounterpart(sp);
        String pad = e.padding(sp.getConvolutionMode(), sp.getPadding());
        ObjectNode lc = pooling(e, "SubsamplingLayer", sp.getPoolingType(), sp.getKernelSize(), sp.getStride(), pad, 2);
        e.out(e.in().spatial(sp.getKernelSize(), sp.getStride(), new int[]{1, 1}, pad, e.in().channels()));
        return lc;
    }

    private static ObjectNode padOrCrop(int[] q, boolean padLayer, org.deeplearning4j.nn.conf.layers.Layer c, Emit e) {
        if (!e.in().image()) return e.noCounterpart(c);
        Flow cur = e.in(); // q: top, bottom, left, right
        ObjectNode lc = e.config(padLayer ? "ZeroPadding2D" : "Cropping2D");
        ArrayNode pd = lc.putArray(padLayer ? "padding" : "cropping");
        pd.addArray().add(q[0]).add(q[1]);
        pd.addArray().add(q[2]).add(q[3]);
        lc.put("data_format", e.dataFormat());
        int sign = padLayer ? 1 : -1;
        e.out(Flow.image(Flow.plus(cur.height(), sign * (q[0] + q[1])), Flow.plus(cur.imgWidth(), sign * (q[2] + q[3])), cur.channels(), cur.nchw()));
        return lc;
    }

    private static ObjectNode upsampling(Upsampling2D up, Emit e) {
        if (!e.in().image()) return e.noCounterpart(up);
        Flow cur = e.in();
        int[] q = up.getSize();
        ObjectNode lc = e.config("UpSampling2D");
        KerasJson.pair(lc, "size", q.length == 1 ? new int[]{q[0], q[0]} : q);
        lc.put("data_format", e.dataFormat()).put("interpolation", "nearest");
        int a = q[0], b = q.length == 1 ? q[0] : q[1];
        e.out(Flow.image(Flow.times(cur.height(), a), Flow.times(cur.imgWidth(), b), cur.channels(), cur.nchw()));
        return lc;
    }

    /**
     * Max/AveragePooling{1,2,3}D's config (the first {@code dims} sizes and strides); any other pooling type, and
     * average pooling with padding (Keras leaves the padding out of the divisor), is recorded as a problem.
     */
    static ObjectNode pooling(Emit e, String dl4jClass, PoolingType type, int[] kernel, int[] stride, String pad, int dims) {
        boolean max = type == PoolingType.MAX;
        if (!max && !(type == PoolingType.AVG && pad.equals("valid")))
            e.problem(dl4jClass, "poolingType", type + " pooling" + (pad.equals("same") ? " with 'same' padding" : "") + " has no Keras counterpart here");
        ObjectNode lc = e.config((max ? "MaxPooling" : "AveragePooling") + dims + "D");
        ArrayNode size = lc.putArray("pool_size"), strides = lc.putArray("strides");
        for (int i = 0; i < dims; i++) {
            size.add(kernel[i]);
            strides.add(stride[i]);
        }
        lc.put("padding", pad).put("data_format", e.dataFormat());
        return lc;
    }

    /** GlobalMax/AveragePooling{1,2,3}D over a sequence, image or volume: [batch, channels] out. */
    private static ObjectNode globalPooling(GlobalPoolingLayer gp, Emit e) {
        Flow cur = e.in();
        int dims = cur.sequence() ? 1 : cur.image() ? 2 : cur.volume() ? 3 : 0;
        if (dims == 0) return e.noCounterpart(gp);
        boolean max = gp.getPoolingType() == PoolingType.MAX;
        if (!max && gp.getPoolingType() != PoolingType.AVG || !gp.isCollapseDimensions())
            e.problem("GlobalPoolingLayer", "poolingType", gp.getPoolingType() + " global pooling has no Keras counterpart here");
        ObjectNode lc = e.config((max ? "GlobalMaxPooling" : "GlobalAveragePooling") + dims + "D");
        lc.put("data_format", e.dataFormat()).put("keepdims", false);
        e.out(Flow.features(cur.channels()));
        return lc;
    }

    /**
     * DL4J's explicit zero padding of a 2-D or 3-D convolution (Truncate or Strict mode, padding not zero) as a
     * ZeroPadding2D/3D layer before it — a convolution over zero-padded input is exactly what DL4J computes; false
     * when there is no such padding.
     */
    static boolean zeroPadBefore(Emit e, ConvolutionMode mode, int[] pad) {
        if (mode == ConvolutionMode.Same || pad == null || java.util.Arrays.stream(pad).allMatch(v -> v == 0)) return false;
        Flow cur = e.in();
        boolean volume = cur.volume();
        ObjectNode z = Json.object().put("module", "keras.layers").put("class_name", volume ? "ZeroPadding3D" : "ZeroPadding2D");
        ObjectNode zc = z.putObject("config").put("name", e.name() + "_pad").put("trainable", true).put("dtype", "float32");
        ArrayNode pd = zc.putArray("padding");
        for (int v : pad) pd.addArray().add(v).add(v);
        zc.put("data_format", e.dataFormat());
        z.putNull("registered_name");
        e.before(z, volume ? Flow.volume(Flow.plus(cur.depth(), 2 * pad[0]), Flow.plus(cur.height(), 2 * pad[1]), Flow.plus(cur.imgWidth(), 2 * pad[2]),
                cur.channels(), cur.nchw())
                : Flow.image(Flow.plus(cur.height(), 2 * pad[0]), Flow.plus(cur.imgWidth(), 2 * pad[1]), cur.channels(), cur.nchw()));
        return true;
    }
}
