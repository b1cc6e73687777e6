package org.kerasport.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic epoch orders and batches, so that a training run resumed after a crash sees exactly the batches of
 * the run it continues: the order of epoch {@code e} depends only on (rows, seed, e).
 */
public final class Batches {
    private Batches() {
    }

    /**
     * A permutation of {@code 0..rows-1} for one epoch: a Fisher-Yates shuffle (for i = rows-1 down to 1, swap i with
     * {@code random.nextInt(i + 1)}) of the identity, drawn from {@code new SplittableRandom(mix(seed, epoch))} where
     * {@code mix(seed, epoch) = fmix64(fmix64(seed) + epoch)} and {@code fmix64} is MurmurHash3's 64-bit finalizer.
     * Mixing (rather than, say, {@code seed + epoch}) keeps the streams of neighbouring seeds and epochs unrelated.
     * The result is the same on every run with the same Java release (SplittableRandom's algorithm has not changed
     * since Java 8).
     */
    public static int[] permutation(long rows, long seed, int epoch) {
        int[] p = identity(rows);
        SplittableRandom random = new SplittableRandom(mix(seed, epoch));
        for (int i = p.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * The row indices of each batch of one epoch, in order: the data's own order, or {@link #permutation} when
     * {@code shuffle}, cut into batches of {@code batchSize}; the last batch holds the remainder (as in Keras).
     */
    public static List<int[]> batches(long rows, int batchSize, boolean shuffle, long seed, int epoch) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size " + batchSize + " is not positive");
        int[] order = shuffle ? permutation(rows, seed, epoch) : identity(rows);
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < order.length; from += batchSize) {
            out.add(java.util.Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize)));
        }
        return out;
    }

    /** The seed of epoch {@code epoch}'s random stream (see {@link #permutation}). */
    static long mix(long seed, int epoch) {
        return fmix64(fmix64(seed) + epoch);
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    private static int[] identity(long rows) {
        if (rows < 0 || rows > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("row count " + rows + " out of range");
        int[] p = new int[(int) rows];
        for (int i = 0; i < p.length; i++) p[i] = i;
        return p;
    }
}
