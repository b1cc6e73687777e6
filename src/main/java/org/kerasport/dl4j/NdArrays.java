package org.kerasport.dl4j;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/** Small array helpers shared by Kerasport's layers and training loop. */
public final class NdArrays {
    private NdArrays() {
    }

    /**
     * The array itself when it is row-major with default strides, else a row-major copy. ND4J's channels-last
     * oneDNN ops compute wrong values on strided views (bench/RESULTS.md), so they only ever get these.
     */
    public static INDArray contiguous(INDArray a) {
        return a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a) ? a : a.dup('c');
    }

    /** The values in row-major order as floats, without a copy through ND4J when the array is its whole buffer. */
    public static float[] floats(INDArray a) {
        INDArray c = contiguous(a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT));
        if (c.offset() != 0 || c.data().length() != c.length()) c = c.dup('c');
        return c.data().asFloat();
    }
}
