package org.kerasport.export.dl4j;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.Subsampling3DLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling3D;
import org.deeplearning4j.nn.conf.layers.ZeroPadding3DLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping3D;

/**
 * The 3-D volume layers: Convolution3D (Conv3D; Keras (kd, kh, kw, in, out) against DL4J's [out, in, kd, kh, kw], the
 * importer's {@code permute(4, 3, 0, 1, 2)}), Subsampling3DLayer (Max/AveragePooling3D), Upsampling3D, ZeroPadding3D
 * and Cropping3D.
 */
final class VolumeExporters {
    private VolumeExporters() {
    }

    static void register(LayerExporters r) {
        r.exact(Convolution3D.class, VolumeExporters::conv3d);
        r.withSubclasses(Subsampling3DLayer.class, VolumeExporters::subsampling);
        r.withSubclasses(Upsampling3D.class, VolumeExporters::upsampling);
        r.withSubclasses(ZeroPadding3DLayer.class, (z, e) -> padOrCrop(z.getPadding(), true, z, e));
        r.withSubclasses(Cropping3D.class, (c, e) -> padOrCrop(c.getCropping(), false, c, e));
    }

    private static void checkFormat(Convolution3D.DataFormat f, String cls, Emit e) {
        if ((f == Convolution3D.DataFormat.NCDHW) != e.in().nchw())
            e.problem(cls, "dataFormat", "a change of channel order inside the network");
    }

    private static ObjectNode conv3d(Convolution3D cv, Emit e) {
        if (!e.in().volume()) return e.noCounterpart(cv);
        ObjectNode lc = e.config("Conv3D");
        lc.put("filters", cv.getNOut());
        KerasJson.triple(lc, "kernel_size", cv.getKernelSize());
        KerasJson.triple(lc, "strides", cv.getStride());
        boolean padded = ConvExporters.zeroPadBefore(e, cv.getConvolutionMode(), cv.getPadding());
        String pad = padded ? "valid" : e.padding3d(cv.getConvolutionMode(), cv.getPadding());
        lc.put("padding", pad).put("data_format", e.dataFormat());
        KerasJson.triple(lc, "dilation_rate", cv.getDilation());
        lc.put("groups", 1);
        e.activation(lc, cv.getActivationFn(), "Convolution3D").put("use_bias", cv.hasBias());
        lc.set("kernel_regularizer", e.regularizer(cv.getRegularization(), "regularization"));
        lc.set("bias_regularizer", e.regularizer(cv.getRegularizationBias(), "regularizationBias"));
        checkFormat(cv.getDataFormat(), "Convolution3D", e);
        e.out(e.in().volumeOut(cv.getKernelSize(), cv.getStride(), cv.getDilation(), pad, cv.getNOut()));
        e.weights(w -> switch (Weights.role(w)) {
            case "kernel" -> Weights.permuted("W", 4, 3, 0, 1, 2);
            case "bias" -> Weights.vector("b");
            default -> null;
        });
        return lc;
    }

    private static ObjectNode subsampling(Subsampling3DLayer sp, Emit e) {
        if (!e.in().volume()) return e.noCounterpart(sp);
        String pad = e.padding3d(sp.getConvolutionMode(), sp.getPadding());
        ObjectNode lc = ConvExporters.pooling(e, "Subsampling3DLayer", sp.getPoolingType(), sp.getKernelSize(), sp.getStride(), pad, 3);
        checkFormat(sp.getDataFormat(), "Subsampling3DLayer", e);
        e.out(e.in().volumeOut(sp.getKernelSize(), sp.getStride(), new int[]{1, 1, 1}, pad, e.in().channels()));
        return lc;
    }

    private static ObjectNode upsampling(Upsampling3D up, Emit e) {
        if (!e.in().volume()) return e.noCounterpart(up);
        Flow cur = e.in();
        int[] q = up.getSize();
        ObjectNode lc = e.config("UpSampling3D");
        KerasJson.triple(lc, "size", q);
        lc.put("data_format", e.dataFormat());
        checkFormat(up.getDataFormat(), "Upsampling3D", e);
        e.out(Flow.volume(Flow.times(cur.depth(), q[0]), Flow.times(cur.height(), q[1]), Flow.times(cur.imgWidth(), q[2]), cur.channels(), cur.nchw()));
        return lc;
    }

    private static ObjectNode padOrCrop(int[] q, boolean padLayer, Layer c, Emit e) {
        if (!e.in().volume()) return e.noCounterpart(c);
        Flow cur = e.in(); // q: d, d, h, h, w, w
        ObjectNode lc = e.config(padLayer ? "ZeroPadding3D" : "Cropping3D");
        ArrayNode pd = lc.putArray(padLayer ? "padding" : "cropping");
        for (int a = 0; a < 3; a++) pd.addArray().add(q[2 * a]).add(q[2 * a + 1]);
        lc.put("data_format", "channels_first"); // DL4J's 3-D padding and cropping layers work on NCDHW
        if (!cur.nchw()) e.problem(c.getClass().getSimpleName(), "dataFormat", "DL4J pads and crops NCDHW volumes only");
        int sign = padLayer ? 1 : -1;
        e.out(Flow.volume(Flow.plus(cur.depth(), sign * (q[0] + q[1])), Flow.plus(cur.height(), sign * (q[2] + q[3])),
                Flow.plus(cur.imgWidth(), sign * (q[4] + q[5])), cur.channels(), cur.nchw()));
        return lc;
    }
}
