package org.kerasport.dl4j.layers;

import java.util.Map;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Keras {@code Dot(axes, normalize)} of two tensors (keras.src.layers.merging.dot.batch_dot): with
 * {@code normalize}, each input is first scaled by {@code min(rsqrt(Σ x²), 1/ε)} over its dot axis (ε = 1e-7,
 * ops.nn.normalize); then x's axis a0 is moved last and y's axis a1 first after the batch, both are flattened to
 * (B, Nx, d) and (B, d, Ny), multiplied batch-wise, and reshaped to (B, x's other axes…, y's other axes…), or (B, 1)
 * when neither has other axes. No parameters.
 */
public class KerasDot extends KerasPackedInputsLayer {
    /** Index (into the distinct inputs) of x and y. */
    @JsonProperty
    private int[] roles;
    /** The dot axes of x and y, counting the batch axis (so ≥ 1). */
    @JsonProperty
    private int[] axes;
    @JsonProperty
    private boolean normalize;

    public KerasDot() {
    }

    public KerasDot(String name, long[][] shapes, int[] roles, int[] axes, boolean normalize, long[] outShape) {
        this.layerName = name;
        this.shapes = shapes;
        this.roles = roles;
        this.axes = axes;
        this.normalize = normalize;
        this.outShape = outShape;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable in, Map<String, SDVariable> p, SDVariable mask) {
        SDVariable[] t = unpack(sd, in);
        SDVariable x = t[roles[0]], y = t[roles[1]];
        long[] xs = shapes[roles[0]], ys = shapes[roles[1]];
        if (normalize) {
            x = normalize(sd, x, axes[0]);
            y = normalize(sd, y, axes[1]);
        }
        int xr = xs.length + 1, yr = ys.length + 1;
        long d = xs[axes[0] - 1], nx = 1, ny = 1;
        for (int i = 0; i < xs.length; i++) if (i != axes[0] - 1) nx *= xs[i];
        for (int i = 0; i < ys.length; i++) if (i != axes[1] - 1) ny *= ys[i];
        int[] px = new int[xr];
        for (int i = 0, k = 0; i < xr; i++) if (i != axes[0]) px[k++] = i;
        px[xr - 1] = axes[0];
        int[] py = new int[yr];
        py[0] = 0;
        py[1] = axes[1];
        for (int i = 1, k = 2; i < yr; i++) if (i != axes[1]) py[k++] = i;
        SDVariable x3 = sd.reshape(sd.permute(x, px), -1, nx, d);
        SDVariable y3 = sd.reshape(sd.permute(y, py), -1, d, ny);
        SDVariable r = sd.mmul(x3, y3); // (B, nx, ny)
        long[] s = new long[outShape.length + 1];
        s[0] = -1;
        System.arraycopy(outShape, 0, s, 1, outShape.length);
        return sd.reshape(r, s);
    }

    /** x · min(rsqrt(Σ_axis x²), 1e7), as Keras' ops.nn.normalize (order 2, epsilon 1e-7). */
    private static SDVariable normalize(SameDiff sd, SDVariable x, int axis) {
        SDVariable inv = sd.math().rsqrt(x.mul(x).sum(true, axis));
        return x.mul(sd.math().min(inv, sd.constant((float) 1e7)));
    }
}
