package org.kerasport.dl4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.Tolerances;

/**
 * The backward pass of the augmentation resampling is the adjoint of its forward pass (with fill value 0 the
 * resampling is linear): ⟨F·x, g⟩ = ⟨x, Fᵀ·g⟩ for rotations, zooms and shifts in every fill mode and interpolation,
 * the crop and the resize. (The forward pass itself is compared with Keras in AugmentationKerasTest.)
 *
 * <p>Tolerance: each side is a float32 sum of at most 4·n products (n output values, 4 taps) of magnitude ≤ 1 summed
 * in double here, so the difference is that of float32 rounding of products and tap sums: Tolerances.between on 4n
 * terms with Σ|terms| ≤ 4n.
 */
@Tag("unit")
class ImageSamplingTest {
    @Test
    void backwardIsTheAdjointOfForward() {
        Random r = new Random(5);
        int h = 7, w = 9, c = 2;
        float[] x = new float[h * w * c];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        int checked = 0;
        for (String mode : new String[]{ImageSampling.REFLECT, ImageSampling.WRAP, ImageSampling.CONSTANT, ImageSampling.NEAREST}) {
            for (boolean bilinear : new boolean[]{true, false}) {
                for (int k = 0; k < 5; k++) {
                    double a = r.nextDouble() * 6 - 3, s = 0.5 + r.nextDouble() * 1.5;
                    float[] t = {(float) (s * Math.cos(a)), (float) (-s * Math.sin(a)), (float) (r.nextDouble() * 20 - 10),
                            (float) (s * Math.sin(a)), (float) (s * Math.cos(a)), (float) (r.nextDouble() * 20 - 10), 0, 0};
                    check(ImageSampling.affine(t, h, w, bilinear, mode), x, h * w * c, c, r);
                    checked++;
                }
            }
        }
        check(ImageSampling.crop(w, 1, 2, 5, 6), x, h * w * c, c, r);
        check(ImageSampling.resize(w, 0, 3, 7, 6, 10, 6), x, h * w * c, c, r);
        assertEquals(40, checked);
    }

    private static void check(ImageSampling.Taps t, float[] x, int inSize, int c, Random r) {
        int outSize = t.outH() * t.outW() * c;
        float[] y = new float[outSize], g = new float[outSize], gx = new float[inSize];
        ImageSampling.forward(t, x, 0, c, 0f, y, 0);
        for (int i = 0; i < g.length; i++) g[i] = r.nextFloat() * 2 - 1;
        ImageSampling.backward(t, g, 0, c, gx, 0);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < outSize; i++) lhs += (double) y[i] * g[i];
        for (int i = 0; i < inSize; i++) rhs += (double) x[i] * gx[i];
        assertEquals(lhs, rhs, Tolerances.between(4L * outSize, 4.0 * outSize), "adjoint");
    }
}
