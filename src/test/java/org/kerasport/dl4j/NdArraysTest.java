package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

@Tag("unit")
class NdArraysTest {
    /**
     * contiguous() passes row-major arrays through, size-1 axes included (ND4J's own stride check refuses the strides
     * its dup gives [3, 12, 1, 4], so such an array, a 1-D convolution's, was copied every pass), and copies views.
     */
    @Test
    void contiguousCopiesOnlyViews() {
        var base = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 12, 1, 4);
        org.junit.jupiter.api.Assertions.assertSame(base, NdArrays.contiguous(base));
        var flat = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 5);
        org.junit.jupiter.api.Assertions.assertSame(flat, NdArrays.contiguous(flat));
        var moved = base.permute(0, 2, 1, 3); // [3, 1, 12, 4]: moving a size-1 axis keeps the memory order
        assertEquals(moved, NdArrays.contiguous(moved));
        for (var view : new org.nd4j.linalg.api.ndarray.INDArray[]{base.permute(0, 3, 1, 2), base.permute(3, 1, 2, 0),
                Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 4).transpose(), base.dup('f')}) {
            var c = NdArrays.contiguous(view);
            org.junit.jupiter.api.Assertions.assertNotSame(view, c);
            assertEquals('c', c.ordering());
            assertEquals(view, c);
            assertArrayEquals(view.dup('c').data().asFloat(), c.data().asFloat());
        }
    }

    /** The bulk copy gives what ND4J's own value-by-value constructor gives. */
    @Test
    void ofEqualsNd4jCreate() {
        Random r = new Random(5);
        for (long[] shape : new long[][]{{128, 784}, {3, 4, 5, 2}, {7}, {1, 1}, {}, {0, 3}}) {
            long n = 1;
            for (long d : shape) n *= d;
            float[] data = new float[(int) n];
            for (int i = 0; i < data.length; i++) data[i] = (float) r.nextGaussian();
            var want = Nd4j.create(data, shape, 'c');
            var got = NdArrays.of(data, shape);
            assertArrayEquals(want.shape(), got.shape());
            assertEquals(want.ordering(), got.ordering());
            if (n > 0) assertArrayEquals(want.dup().data().asFloat(), got.dup().data().asFloat(), java.util.Arrays.toString(shape)); // exactly
        }
        assertThrows(IllegalArgumentException.class, () -> NdArrays.of(new float[5], new long[]{2, 3}));
    }

    /**
     * floats() copies in bulk what ND4J's value-by-value copy gives: whole arrays, views with an offset, strided and
     * column-major views, a double array (cast), a scalar and an empty array.
     */
    @Test
    void floatsEqualsNd4jsValueByValueCopy() {
        var base = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 6, 5, 4);
        var rows = base.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 5), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all()); // offset into the buffer, row-major
        for (var a : new org.nd4j.linalg.api.ndarray.INDArray[]{base, rows, base.permute(2, 0, 1), base.dup('f'),
                Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 3, 7), Nd4j.scalar(2.5f), Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 0, 3)}) {
            float[] want = new float[(int) a.length()];
            var c = a.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
            for (int i = 0; i < want.length; i++) want[i] = c.getFloat(i);
            assertArrayEquals(want, NdArrays.floats(a), java.util.Arrays.toString(a.shape()));
        }
    }
}
