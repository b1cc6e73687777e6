package org.kerasport.export.dl4j;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling1D;
import org.deeplearning4j.nn.conf.layers.ZeroPadding1DLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping1D;

/**
 * The 1-D sequence layers: Convolution1DLayer (Conv1D; its kernel's memory is Keras' (k, in, out):
 * {@link Weights#conv1dKernel}), Subsampling1DLayer (Max/AveragePooling1D), and ZeroPadding1D, Cropping1D and
 * UpSampling1D (Keras' work on [batch, time, features]: a Permute before them for DL4J's NCW).
 */
final class SequenceExporters {
    private SequenceExporters() {
    }

    static void register(LayerExporters r) {
        r.withSubclasses(Convolution1DLayer.class, SequenceExporters::conv1d);
        r.withSubclasses(Subsampling1DLayer.class, (sp, e) -> e.in().sequence()
                ? ConvExporters.pooling(e, "Subsampling1DLayer", sp.getPoolingType(), sp.getKernelSize(), sp.getStride(),
                        e.padding(sp.getConvolutionMode(), sp.getPadding()), 1)
                : e.noCounterpart(sp));
        r.withSubclasses(ZeroPadding1DLayer.class, (z, e) -> {
            if (!e.in().sequence()) return e.noCounterpart(z);
            ObjectNode lc = nwc(e, "ZeroPadding1D");
            lc.putArray("padding").add(z.getPadding()[0]).add(z.getPadding()[1]);
            return lc;
        });
        r.withSubclasses(Cropping1D.class, (c, e) -> {
            if (!e.in().sequence()) return e.noCounterpart(c);
            ObjectNode lc = nwc(e, "Cropping1D");
            lc.putArray("cropping").add(c.getCropping()[0]).add(c.getCropping()[1]);
            return lc;
        });
        r.withSubclasses(Upsampling1D.class, (u, e) -> {
            if (!e.in().sequence()) return e.noCounterpart(u);
            return nwc(e, "UpSampling1D").put("size", u.getSize()[0]);
        });
    }

    /** A layer on Keras' [batch, time, features]: a Permute before it for NCW; NWC after it. */
    private static ObjectNode nwc(Emit e, String cls) {
        e.permuteToNwc();
        e.out(Flow.sequence(e.in().channels(), false));
        return e.config(cls);
    }

    private static ObjectNode conv1d(Convolution1DLayer cv, Emit e) {
        if (!e.in().sequence()) return e.noCounterpart(cv);
        ObjectNode lc = e.config("Conv1D");
        lc.put("filters", cv.getNOut());
        lc.putArray("kernel_size").add(cv.getKernelSize()[0]);
        lc.putArray("strides").add(cv.getStride()[0]);
        String pad = cv.getConvolutionMode() == ConvolutionMode.Causal ? "causal" : e.padding(cv.getConvolutionMode(), cv.getPadding());
        lc.put("padding", pad);
        lc.put("data_format", e.dataFormat());
        lc.putArray("dilation_rate").add(cv.getDilation()[0]);
        lc.put("groups", 1);
        e.activation(lc, cv.getActivationFn(), "Convolution1DLayer").put("use_bias", cv.hasBias());
        lc.set("kernel_regularizer", e.regularizer(cv.getRegularization(), "regularization"));
        lc.set("bias_regularizer", e.regularizer(cv.getRegularizationBias(), "regularizationBias"));
        e.out(Flow.sequence(cv.getNOut(), e.in().nchw()));
        e.weights(w -> switch (Weights.role(w)) {
            case "kernel" -> Weights.conv1dKernel("W");
            case "bias" -> Weights.vector("b");
            default -> null;
        });
        return lc;
    }
}
