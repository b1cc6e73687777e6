package org.kerasport.dl4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.Tolerances;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link ConvWeightGradient} against the definition, dW[o, c, i, j] = Σ x[n, c, y + i − ph, x + j − pw]·δ[n, o, y, x]
 * and db[o] = Σ δ[n, o, y, x], summed in doubles: both layouts, padding, with and without bias, in one chunk and in
 * chunks of samples (with a shorter last chunk). FastPathsTest checks the layer using it against DL4J's own backward
 * pass; the trajectory tests check training with it against Keras.
 */
@Tag("unit")
@Tag("trajectory")
class ConvWeightGradientTest {
    @Test
    void equalsTheDefinitionInEveryLayoutAndChunking() {
        int[][] cases = { // n, c, h, w, out, kh, kw, ph, pw, bias
                {7, 1, 9, 8, 4, 3, 3, 0, 0, 1}, {5, 3, 6, 7, 2, 5, 3, 2, 1, 1}, {4, 2, 5, 5, 3, 1, 1, 0, 0, 0}, {6, 2, 4, 6, 3, 3, 3, 1, 1, 0}};
        for (int[] cs : cases)
            for (boolean channelsLast : new boolean[]{false, true})
                for (int chunkSamples : new int[]{0, 1, 3}) {
                    int n = cs[0], c = cs[1], h = cs[2], w = cs[3], out = cs[4], kh = cs[5], kw = cs[6], ph = cs[7], pw = cs[8];
                    boolean bias = cs[9] == 1;
                    int oh = h + 2 * ph - kh + 1, ow = w + 2 * pw - kw + 1;
                    Nd4j.getRandom().setSeed(11);
                    INDArray xNchw = Nd4j.rand(DataType.FLOAT, n, c, h, w).subi(0.5), dNchw = Nd4j.rand(DataType.FLOAT, n, out, oh, ow).subi(0.5);
                    INDArray x = channelsLast ? xNchw.permute(0, 2, 3, 1).dup('c') : xNchw;
                    INDArray d = channelsLast ? dNchw.permute(0, 2, 3, 1).dup('c') : dNchw;
                    int rows = c * kh * kw + (bias ? 1 : 0);
                    ConvWeightGradient g = chunkSamples == 0 ? new ConvWeightGradient() : new ConvWeightGradient(chunkSamples * rows * oh * ow);
                    INDArray wGrad = Nd4j.create(DataType.FLOAT, out, c, kh, kw);
                    INDArray bGrad = g.compute(x, d, kh, kw, new int[]{ph, pw}, channelsLast, bias, wGrad);
                    // twice: the reused buffers (the ones row, the zeros of the padding) must give the same again
                    INDArray again = Nd4j.create(DataType.FLOAT, out, c, kh, kw);
                    g.compute(x, d, kh, kw, new int[]{ph, pw}, channelsLast, bias, again);
                    String what = java.util.Arrays.toString(cs) + (channelsLast ? " NHWC" : " NCHW") + " chunk " + chunkSamples;
                    assertEquals(wGrad, again, what);
                    float[] xs = xNchw.data().asFloat(), ds = dNchw.data().asFloat();
                    for (int o = 0; o < out; o++) {
                        for (int ci = 0; ci < c; ci++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++) {
                                    double sum = 0, sumAbs = 0;
                                    for (int s = 0; s < n; s++)
                                        for (int y = 0; y < oh; y++)
                                            for (int xx = 0; xx < ow; xx++) {
                                                int r = y + i - ph, q = xx + j - pw;
                                                if (r < 0 || r >= h || q < 0 || q >= w) continue;
                                                double t = (double) xs[((s * c + ci) * h + r) * w + q] * ds[((s * out + o) * oh + y) * ow + xx];
                                                sum += t;
                                                sumAbs += Math.abs(t);
                                            }
                                    // a float32 dot product of n·oh·ow terms (GEMM, any kernel) against the exact sum:
                                    // the worst-case bound is at most 2e-5 of Σ|terms|, a wrong window is off by a whole term
                                    assertEquals(sum, wGrad.getDouble(o, ci, i, j), Tolerances.sumWorst((long) n * oh * ow, sumAbs),
                                            what + " dW" + o + ci + i + j);
                                }
                        if (bias) {
                            double sum = 0, sumAbs = 0;
                            for (int s = 0; s < n; s++)
                                for (int k = 0; k < oh * ow; k++) {
                                    sum += ds[(s * out + o) * oh * ow + k];
                                    sumAbs += Math.abs(ds[(s * out + o) * oh * ow + k]);
                                }
                            assertEquals(sum, bGrad.getDouble(o), Tolerances.sumWorst((long) n * oh * ow, sumAbs), what + " db" + o);
                        }
                    }
                    if (!bias) assertNull(bGrad, what);
                }
    }
}
