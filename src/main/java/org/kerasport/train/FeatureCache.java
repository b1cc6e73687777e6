package org.kerasport.train;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.kerasport.dl4j.GraphPasses;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Frozen-prefix feature caching: when the vertices between the inputs and the first trainable layer are frozen and
 * deterministic in training (the vertices that need no backward pass, {@link GraphPasses#noBackward}, with no dropout,
 * noise or activity regularizer among them; frozen BatchNormalization runs in inference mode), the outputs of the last
 * of them (the "boundary": those a trainable vertex reads) are computed once per row, in the first step that sees the
 * row, and kept; a later step whose rows are all kept takes the boundary outputs from the cache and computes none of
 * the prefix. What the trainable part receives is the array the prefix computed for the same row, so a run whose
 * batches repeat (shuffle off) is equal to one without the cache bit for bit; with shuffling a row's features were
 * computed in another batch, which changes them by at most float rounding where the BLAS kernel's summation order
 * depends on the batch's size. The cache lives in the Java heap up to a budget (a quarter of the maximum heap, or
 * {@code -Dkerasport.featureCache.maxBytes}); beyond it, in a memory-mapped temporary file in
 * {@code -Dkerasport.featureCache.dir} (default: java.io.tmpdir), deleted when training ends, as long as it takes at
 * most half of that file system's free space; larger features train without the cache.
 * The trainer turns it on only around its training steps, so validation and prediction compute the whole graph.
 */
final class FeatureCache implements GraphPasses.ForwardSource, AutoCloseable {
    private final List<GraphPasses.NoBackwardVertex> prefix = new ArrayList<>();
    private final Map<String, Store> boundary = new HashMap<>();
    private final int rows;
    private final long budget;
    private final BitSet filled;
    private int[] batch;
    private boolean serving;
    private long computedRows, servedRows;
    private String refused;

    private static final class Store {
        long[] shape;          // of one batch; shape[0] replaced per batch
        int perRow;
        Rows data;
    }

    /** The kept rows of one boundary output. */
    private interface Rows extends AutoCloseable {
        void put(int row, float[] src, int srcOffset);

        void get(int row, float[] dst, int dstOffset);

        long bytes();

        boolean onDisk();

        @Override
        void close();
    }

    private static final class HeapRows implements Rows {
        private final float[] data;
        private final int perRow;

        HeapRows(int rows, int perRow) {
            this.data = new float[rows * perRow];
            this.perRow = perRow;
        }

        public void put(int row, float[] src, int off) {
            System.arraycopy(src, off, data, row * perRow, perRow);
        }

        public void get(int row, float[] dst, int off) {
            System.arraycopy(data, row * perRow, dst, off, perRow);
        }

        public long bytes() {
            return (long) data.length * 4;
        }

        public boolean onDisk() {
            return false;
        }

        public void close() {
        }
    }

    /**
     * Rows in a temporary file mapped into memory in pieces of at most 1 GiB (whole rows each): the operating system
     * keeps in RAM what fits and pages the rest, so the Java heap holds none of it.
     */
    private static final class MappedRows implements Rows {
        private static final long PIECE = 1L << 30;
        private final Path file;
        private final FileChannel channel;
        private final java.nio.FloatBuffer[] pieces;
        private final int perRow, rowsPerPiece;
        private final long bytes;

        MappedRows(Path dir, int rows, int perRow) throws IOException {
            this.perRow = perRow;
            this.rowsPerPiece = (int) Math.max(1, PIECE / (4L * perRow));
            this.bytes = 4L * rows * perRow;
            this.file = Files.createTempFile(dir, "kerasport-features-", ".bin");
            file.toFile().deleteOnExit();
            this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            int n = (rows + rowsPerPiece - 1) / rowsPerPiece;
            this.pieces = new java.nio.FloatBuffer[n];
            try {
                for (int i = 0; i < n; i++) {
                    long first = (long) i * rowsPerPiece, count = Math.min(rowsPerPiece, rows - first);
                    pieces[i] = channel.map(FileChannel.MapMode.READ_WRITE, first * perRow * 4, count * perRow * 4)
                            .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
                }
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        public void put(int row, float[] src, int off) {
            pieces[row / rowsPerPiece].put((row % rowsPerPiece) * perRow, src, off, perRow);
        }

        public void get(int row, float[] dst, int off) {
            pieces[row / rowsPerPiece].get((row % rowsPerPiece) * perRow, dst, off, perRow);
        }

        public long bytes() {
            return bytes;
        }

        public boolean onDisk() {
            return true;
        }

        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) { // the file goes below either way
            }
            try {
                Files.deleteIfExists(file); // the mappings, and with them the disk blocks, go when they are collected
            } catch (IOException ignored) { // deleteOnExit remains
            }
        }
    }

    private final Path dir;

    private FeatureCache(int rows, long budget, Path dir) {
        this.rows = rows;
        this.budget = budget;
        this.dir = dir;
        this.filled = new BitSet(rows);
    }

    /**
     * The cache for training {@code g} on {@code rows} rows, or a sentence saying why there is none (as a cache whose
     * {@link #usable()} is false).
     */
    static FeatureCache of(ComputationGraph g, int rows) {
        String max = System.getProperty("kerasport.featureCache.maxBytes");
        long budget = max != null ? Long.parseLong(max.strip()) : Runtime.getRuntime().maxMemory() / 4;
        String where = System.getProperty("kerasport.featureCache.dir");
        FeatureCache c = new FeatureCache(rows, budget, Path.of(where != null ? where : System.getProperty("java.io.tmpdir")));
        GraphVertex[] vs = g.getVertices();
        boolean[] dead = new boolean[vs.length];
        for (GraphVertex v : vs) if (v instanceof GraphPasses.NoBackwardVertex n) dead[v.getVertexIndex()] = true;
        for (GraphVertex v : vs) {
            if (!(v instanceof GraphPasses.NoBackwardVertex n)) continue;
            GraphVertex u = n.vertex();
            if (u.hasLayer()) {
                var conf = u.getLayer().conf().getLayer();
                // dropout, weight noise, augmentation (a new draw each epoch: caching would replay epoch 1's images)
                if (conf.getIDropout() != null || conf instanceof org.kerasport.dl4j.layers.KerasRandomTransform
                        || conf instanceof org.deeplearning4j.nn.conf.layers.BaseLayer bl && bl.getWeightNoise() != null)
                    return c.refuse("'" + u.getVertexName() + "' draws random numbers in training");
                if (conf instanceof org.kerasport.dl4j.layers.ActivityRegularization)
                    return c.refuse("'" + u.getVertexName() + "' adds an activity penalty to the loss");
            }
            c.prefix.add(n);
            boolean read = false;
            if (v.getOutputVertices() != null) for (var o : v.getOutputVertices()) read |= !dead[o.getVertexIndex()];
            if (read) c.boundary.put(v.getVertexName(), new Store());
        }
        if (c.boundary.isEmpty()) return c.refuse("no frozen prefix before a trainable layer");
        return c;
    }

    private FeatureCache refuse(String why) {
        refused = why;
        prefix.clear();
        boundary.clear();
        return this;
    }

    boolean usable() {
        return refused == null;
    }

    /** Serves or fills the prefix for the step on these rows (of the training data), until {@link #end()}. */
    void begin(int[] batchRows) {
        if (!usable()) return;
        batch = batchRows;
        boolean all = true;
        for (int r : batchRows) all &= filled.get(r);
        serving = all;
        for (GraphPasses.NoBackwardVertex n : prefix) n.forwardSource(this);
    }

    /** Back to computing the whole graph; the rows of a filling step count as kept. */
    void end() {
        if (batch == null) return;
        for (GraphPasses.NoBackwardVertex n : prefix) n.forwardSource(null);
        if (refused != null) close(); // refused while filling: train without it
        else if (!serving) for (int r : batch) filled.set(r);
        if (serving) servedRows += batch.length;
        else computedRows += batch.length;
        batch = null;
    }

    @Override
    public INDArray forward(GraphPasses.NoBackwardVertex v, boolean training, LayerWorkspaceMgr ws) {
        Store s = boundary.get(v.getVertexName());
        if (!serving) {
            INDArray out = v.computeForward(training, ws);
            if (s != null && refused == null) keep(v.getVertexName(), s, out);
            return out;
        }
        if (s == null) return ws.create(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[]{1}, 'c'); // nothing reads it
        long[] shape = s.shape.clone();
        shape[0] = batch.length;
        float[] b = new float[batch.length * s.perRow];
        for (int i = 0; i < batch.length; i++) s.data.get(batch[i], b, i * s.perRow);
        INDArray out = ws.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, shape, 'c');
        out.assign(Nd4j.create(b, shape, 'c'));
        return out;
    }

    private void keep(String name, Store s, INDArray out) {
        if (out.dataType() != DataType.FLOAT || out.size(0) != batch.length) {
            refused = "'" + name + "' gives no float rows";
            return;
        }
        if (s.data == null) {
            s.shape = out.shape().clone();
            s.perRow = (int) (out.length() / out.size(0));
            long heap = 0, need = (long) rows * s.perRow * 4;
            for (Store t : boundary.values()) heap += t.data == null || t.data.onDisk() ? 0 : t.data.bytes();
            if (heap + need <= budget && (long) rows * s.perRow <= Integer.MAX_VALUE - 8) {
                s.data = new HeapRows(rows, s.perRow);
            } else {
                long free;
                try {
                    free = Files.getFileStore(dir).getUsableSpace();
                } catch (IOException e) {
                    refused = "the features (" + mb(need) + ") exceed the cache budget (" + mb(budget) + ") and " + dir + " cannot hold them: " + e.getMessage();
                    return;
                }
                if (need > free / 2) {
                    refused = "the features (" + mb(need) + ") exceed the cache budget (" + mb(budget) + ") and half the free space of "
                            + dir + " (" + mb(free) + " free)";
                    return;
                }
                try {
                    s.data = new MappedRows(dir, rows, s.perRow);
                } catch (IOException e) {
                    refused = "the features (" + mb(need) + ") exceed the cache budget (" + mb(budget) + ") and no file in " + dir
                            + " could hold them: " + e.getMessage();
                    return;
                }
            }
        }
        float[] f = out.dup('c').data().asFloat();
        for (int i = 0; i < batch.length; i++) s.data.put(batch[i], f, i * s.perRow);
    }

    /** Frees the kept features (and deletes their file, if any). */
    @Override
    public void close() {
        for (Store t : boundary.values()) {
            if (t.data != null) t.data.close();
            t.data = null;
        }
    }

    private static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** One sentence for the run's summary. */
    String summary() {
        if (refused != null && computedRows + servedRows == 0) return "off (" + refused + ")";
        if (refused != null) return "off after the first rows (" + refused + ")";
        long bytes = 0, disk = 0;
        for (Store t : boundary.values()) {
            bytes += t.data == null ? 0 : t.data.bytes();
            disk += t.data == null || !t.data.onDisk() ? 0 : t.data.bytes();
        }
        long all = computedRows + servedRows;
        return String.format(java.util.Locale.ROOT, "on: the frozen prefix (%d vertices) ran for %d of %d row-steps; the other %d "
                        + "(%.0f %%) read its outputs (%d arrays, %s%s) from the cache", prefix.size(), computedRows, all, servedRows,
                all == 0 ? 0.0 : 100.0 * servedRows / all, boundary.size(), mb(bytes), disk == 0 ? "" : ", " + mb(disk) + " of it in a file in " + dir);
    }
}
