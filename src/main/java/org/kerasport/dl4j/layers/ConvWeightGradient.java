package org.kerasport.dl4j.layers;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.kerasport.dl4j.NdArrays;

/**
 * The weight and bias gradients of a stride-1, undilated 2-D convolution, computed as im2col plus one batched matrix
 * product, for a convolution whose input gradient nobody uses (it reads the network's input). Per sample n the
 * input's patches are laid out as a [C·kh·kw (+1), oh·ow] matrix (in Java: row copies, zeros where the padding is),
 * the extra row all ones when there is a bias; then dW[o, (c, i, j)] and db[o] = Σₙ δₙ·colsₙᵀ in one ND4J batched
 * {@code matmul} and a sum over n: one large matrix product instead of a convolution plus a separate bias sum, which
 * is faster for the small images of the models it serves (measured in bench/RESULTS.md, "CNN: the first convolution
 * computes only its weight gradient").
 *
 * <p>Not thread-safe: each layer instance (and each replica of one) keeps its own buffers, reused while the shapes
 * stay the same. Batches whose patch matrices would exceed {@link #DEFAULT_MAX_COLUMN_FLOATS} go in chunks of samples.
 */
public final class ConvWeightGradient {
    /** The patch matrices of at most this many floats at once (16 MB on the heap and as much off it). */
    public static final int DEFAULT_MAX_COLUMN_FLOATS = 1 << 22;
    private final int maxColumnFloats;
    private float[] cols;
    private boolean colsHaveOnes;
    private INDArray colsArray, products, sums;

    public ConvWeightGradient() {
        this(DEFAULT_MAX_COLUMN_FLOATS);
    }

    /** With a smaller chunk limit (tests: several chunks must add up to one). */
    public ConvWeightGradient(int maxColumnFloats) {
        this.maxColumnFloats = maxColumnFloats;
    }

    /**
     * Writes dW [out, c, kh, kw] into {@code weightGrad} and returns db [out] (null without a bias).
     *
     * @param input {@code [n, c, h, w]}, or {@code [n, h, w, c]} when {@code channelsLast}
     * @param delta the gradient of the pre-activation output, {@code [n, out, oh, ow]} or {@code [n, oh, ow, out]}
     * @param pad   the symmetric zero padding {@code {ph, pw}}; oh = h + 2·ph − kh + 1, and likewise ow
     */
    public INDArray compute(INDArray input, INDArray delta, int kh, int kw, int[] pad, boolean channelsLast, boolean bias,
                            INDArray weightGrad) {
        long[] s = input.shape();
        int n = (int) s[0], c = (int) (channelsLast ? s[3] : s[1]), h = (int) (channelsLast ? s[1] : s[2]),
                w = (int) (channelsLast ? s[2] : s[3]);
        int oh = h + 2 * pad[0] - kh + 1, ow = w + 2 * pad[1] - kw + 1, out = (int) (channelsLast ? delta.size(3) : delta.size(1));
        int patch = c * kh * kw, rows = patch + (bias ? 1 : 0), p = oh * ow;
        int chunk = (int) Math.max(1, Math.min(n, maxColumnFloats / ((long) rows * p)));
        buffers(chunk, rows, p, out, bias, channelsLast);
        float[] x = NdArrays.floats(input);
        INDArray d = NdArrays.contiguous(delta).reshape(n, channelsLast ? p : out, channelsLast ? out : p);
        INDArray total = sums;
        for (int n0 = 0; n0 < n; n0 += chunk) {
            int m = Math.min(chunk, n - n0);
            fill(x, n0, m, c, h, w, kh, kw, pad, oh, ow, rows, channelsLast);
            colsArray.data().asNio().duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer().put(0, cols, 0, m * rows * p);
            INDArray colsM = m == chunk ? colsArray : colsArray.get(NDArrayIndex.interval(0, m), NDArrayIndex.all(), NDArrayIndex.all());
            INDArray prodM = m == chunk ? products : products.get(NDArrayIndex.interval(0, m), NDArrayIndex.all(), NDArrayIndex.all());
            INDArray dM = m == n ? d : d.get(NDArrayIndex.interval(n0, n0 + m), NDArrayIndex.all(), NDArrayIndex.all());
            // channels-first: δₙ [out, p] · colsₙᵀ -> [out, rows]; channels-last: colsₙ [rows, p] · δₙ [p, out] -> [rows, out]
            INDArray[] ins = channelsLast ? new INDArray[]{colsM, dM} : new INDArray[]{dM, colsM};
            Nd4j.exec(DynamicCustomOp.builder("matmul").addInputs(ins).addOutputs(prodM)
                    .addIntegerArguments(0, channelsLast ? 0 : 1).build());
            INDArray target = n0 == 0 ? total : Nd4j.createUninitializedDetached(DataType.FLOAT, 'c', total.shape());
            Nd4j.exec(DynamicCustomOp.builder("reduce_sum").addInputs(prodM).addOutputs(target).addIntegerArguments(0).build());
            if (n0 > 0) total.addi(target);
        }
        INDArray byOut = channelsLast ? total.transpose() : total; // [out, rows]
        weightGrad.assign(byOut.get(NDArrayIndex.all(), NDArrayIndex.interval(0, patch)).dup('c').reshape(weightGrad.shape()));
        return bias ? byOut.getColumn(patch).dup() : null;
    }

    private void buffers(int chunk, int rows, int p, int out, boolean bias, boolean channelsLast) {
        long[] colsShape = {chunk, rows, p}, productShape = channelsLast ? new long[]{chunk, rows, out} : new long[]{chunk, out, rows};
        if (colsArray != null && Arrays.equals(colsArray.shape(), colsShape) && Arrays.equals(products.shape(), productShape)
                && colsHaveOnes == bias) return;
        colsHaveOnes = bias;
        cols = new float[chunk * rows * p];
        if (bias) // the ones row of every sample: written once, the patch rows above it each time
            for (int k = 0; k < chunk; k++) Arrays.fill(cols, (k * rows + rows - 1) * p, (k * rows + rows) * p, 1f);
        colsArray = Nd4j.createUninitializedDetached(DataType.FLOAT, 'c', colsShape);
        products = Nd4j.createUninitializedDetached(DataType.FLOAT, 'c', productShape);
        sums = Nd4j.createUninitializedDetached(DataType.FLOAT, 'c', productShape[1], productShape[2]);
    }

    /** The patch rows (c, i, j) of samples n0 .. n0+m-1 into {@link #cols}; the ones row stays as written. */
    private void fill(float[] x, int n0, int m, int c, int h, int w, int kh, int kw, int[] pad, int oh, int ow, int rows,
                      boolean channelsLast) {
        int p = oh * ow;
        for (int s = 0; s < m; s++) {
            int n = n0 + s;
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++) {
                        int rowBase = (s * rows + (ch * kh + i) * kw + j) * p;
                        int x0 = Math.max(0, pad[1] - j), x1 = Math.min(ow, w + pad[1] - j);
                        for (int y = 0; y < oh; y++) {
                            int r = y + i - pad[0], dst = rowBase + y * ow;
                            if (r < 0 || r >= h || x1 <= x0) {
                                Arrays.fill(cols, dst, dst + ow, 0f);
                                continue;
                            }
                            if (x0 > 0) Arrays.fill(cols, dst, dst + x0, 0f);
                            if (x1 < ow) Arrays.fill(cols, dst + x1, dst + ow, 0f);
                            int col = x0 + j - pad[1];
                            if (!channelsLast) System.arraycopy(x, ((n * c + ch) * h + r) * w + col, cols, dst + x0, x1 - x0);
                            else if (c == 1) System.arraycopy(x, (n * h + r) * w + col, cols, dst + x0, x1 - x0);
                            else for (int xi = x0, src = ((n * h + r) * w + col) * c + ch; xi < x1; xi++, src += c)
                                cols[dst + xi] = x[src];
                        }
                    }
        }
    }
}
