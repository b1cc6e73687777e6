package org.kerasport.dl4j;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution3D;

/**
 * DL4J input types for Keras channels-last tensors. Kerasport keeps every DL4J activation array identical to the
 * Keras tensor (same shape, same C order), so a Keras shape (batch first) determines its DL4J type: (n, f) feed-forward,
 * (n, steps, c) recurrent NWC, (n, h, w, c) CNN NHWC, (n, d, h, w, c) CNN3D NDHWC. DL4J types need sizes where Keras
 * may leave spatial or time axes free (a fully convolutional model): those get {@link #FREE_DIM}, a size used only
 * for DL4J's shape bookkeeping — the arrays keep their real sizes at run time.
 */
public final class InputTypes {
    /** Stand-in size for a free (None) spatial axis in DL4J's type bookkeeping. */
    public static final long FREE_DIM = 4096;

    private InputTypes() {
    }

    public static long size(Long d) {
        return d == null ? FREE_DIM : d;
    }

    /** @param shape Keras shape with the batch axis first; null when the rank is not supported */
    public static InputType channelsLast(Long[] shape) {
        return switch (shape.length) {
            case 2 -> InputType.feedForward(size(shape[1]));
            case 3 -> InputType.recurrent(size(shape[2]), shape[1] == null ? -1 : shape[1], RNNFormat.NWC);
            case 4 -> InputType.convolutional(size(shape[1]), size(shape[2]), size(shape[3]), CNN2DFormat.NHWC);
            case 5 -> InputType.convolutional3D(Convolution3D.DataFormat.NDHWC, size(shape[1]), size(shape[2]),
                    size(shape[3]), size(shape[4]));
            default -> null;
        };
    }
}
