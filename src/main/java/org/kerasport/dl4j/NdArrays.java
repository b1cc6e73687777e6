package org.kerasport.dl4j;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Small array helpers shared by Kerasport's layers and training loop. */
public final class NdArrays {
    private NdArrays() {
    }

    /**
     * The array itself when it is row-major with default strides, else a row-major copy. ND4J's channels-last
     * oneDNN ops compute wrong values on strided views (bench/RESULTS.md), so they only ever get these.
     */
    public static INDArray contiguous(INDArray a) {
        return rowMajorDense(a) ? a : a.dup('c');
    }

    /**
     * Row-major with default strides, where the stride of a size-1 axis does not matter (ND4J's own check,
     * {@code Shape.hasDefaultStridesForShape}, refuses [3, 12, 1, 4] with strides [48, 4, 4, 1], which its own dup
     * makes).
     */
    static boolean rowMajorDense(INDArray a) {
        if (a.ordering() != 'c' && a.rank() > 1) return false;
        long expected = 1;
        long[] shape = a.shape(), stride = a.stride();
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /**
     * The values in row-major order as floats, copied in bulk (ND4J's {@code DataBuffer.asFloat()} copies value by value:
     * 11 % of a CNN training step's Java time for its 64×28×28 input alone), without a copy through ND4J when the array
     * is its whole buffer.
     */
    public static float[] floats(INDArray a) {
        INDArray c = contiguous(a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT));
        if (c.offset() != 0 || c.data().length() != c.length()) c = c.dup('c');
        if (c.length() > Integer.MAX_VALUE) throw new IllegalArgumentException("more than 2^31 values: " + java.util.Arrays.toString(c.shape()));
        float[] out = new float[(int) c.length()];
        if (out.length > 0) c.data().asNio().duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer().get(0, out);
        return out;
    }

    /**
     * A row-major float array of the given shape holding {@code data}, copied in bulk: {@code Nd4j.create(float[],
     * shape, 'c')} copies value by value (0.35 ms of a 10 ms training step for a 128×784 batch).
     */
    public static INDArray of(float[] data, long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        if (n != data.length) throw new IllegalArgumentException(data.length + " values for shape " + java.util.Arrays.toString(shape));
        if (n == 0) return org.nd4j.linalg.factory.Nd4j.create(DataType.FLOAT, shape, 'c');
        INDArray out = org.nd4j.linalg.factory.Nd4j.createUninitializedDetached(DataType.FLOAT, 'c', shape);
        FloatBuffer dst = out.data().asNio().duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
        dst.put(data);
        return out;
    }

    /**
     * Writes the array exactly as {@code Nd4j.write(arr, out)} does (its shape buffer, then its data buffer: allocation
     * mode, length, type name and the values big-endian), which is what DL4J's ModelSerializer stores and reads back.
     * Float data is converted in blocks instead of one {@code writeFloat} call per value: for a model of a few million
     * parameters that call-per-value loop (run once, so never compiled) was most of the time a fine-tuning run spent
     * saving its result.
     */
    public static void write(INDArray arr, DataOutputStream out) throws IOException {
        if (arr.isView()) arr = arr.dup(); // as Nd4j.write: only the view's own values, with a matching shape buffer
        arr.shapeInfoDataBuffer().write(out);
        DataBuffer d = arr.data();
        if (d == null) return;
        if (d.dataType() != DataType.FLOAT || d.offset() != 0 || d.length() == 0 || d.length() > Integer.MAX_VALUE) {
            d.write(out);
            return;
        }
        out.writeUTF(d.allocationMode().name());
        out.writeLong(d.length());
        out.writeUTF(d.dataType().name());
        FloatBuffer src = d.asNio().duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
        src.limit((int) d.length());
        ByteBuffer block = ByteBuffer.allocate(1 << 16).order(ByteOrder.BIG_ENDIAN);
        FloatBuffer dst = block.asFloatBuffer();
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), dst.capacity());
            dst.clear();
            dst.put(src.slice().limit(n));
            src.position(src.position() + n);
            out.write(block.array(), 0, n * Float.BYTES);
        }
    }
}
