package org.kerasport.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kerasport.data.NdArray;
import org.kerasport.train.OutputCapture;
import org.kerasport.train.StepGradients;
import org.kerasport.train.data.TrainingData;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The synchronous Spark step: each batch's gradient is summed on the partitions of a Spark RDD that hold its rows,
 * and {@link org.kerasport.train.FineTuner} applies it (one Keras-exact update per batch, on the driver).
 *
 * <p>Per step, as Spark MLlib's gradient descent does: the driver broadcasts the parameters and the batch's row
 * indices; a job over the {@code k} partitions has every partition sum, over the batch rows it holds, the loss
 * gradient of the model (a DL4J graph of the same configuration, one per concurrent task on each executor, kept
 * between steps); the driver collects the {@code k} partial sums and adds them in partition order, so a run's result
 * does not depend on which task finishes first; the update divides by the batch's rows. DL4J's loss gradients are
 * sums over rows until its updater divides by the batch size, so the sum of the parts is the batch's gradient, in
 * another summation order. Penalties are not in the parts: the updater adds them once, on the driver.
 *
 * <p>Data: row {@code i} of the training data lives in partition {@code i mod k}, so every batch, shuffled or not,
 * spreads over all partitions. The rows are cut on the driver and stored in the executors' memory once
 * ({@code localCheckpoint}: a lost executor loses its rows and fails the run; Spark's task retries cover failed tasks
 * on live executors).
 */
public final class SparkGradients implements StepGradients {
    private final JavaSparkContext sc;
    private final int partitions;
    private final String runId = UUID.randomUUID().toString();
    private Broadcast<String> conf;
    private JavaRDD<Shard> shards;
    private boolean outputs;
    private long paramCount;

    /** Gradients over {@code partitions} partitions of {@code sc}'s cluster. */
    public SparkGradients(JavaSparkContext sc, int partitions) {
        if (partitions < 1) throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        this.sc = sc;
        this.partitions = partitions;
    }

    /**
     * A Spark context for {@code master} ({@code local[N]}, {@code spark://host:port}, {@code yarn}, {@code k8s://...};
     * Spark's own configuration, e.g. spark-submit's, applies too) and gradients over {@code partitions} partitions
     * (0: the context's default parallelism); closing the result stops the context. The CLI's {@code --spark}.
     */
    public static StepGradients open(String master, int partitions) {
        org.apache.spark.SparkConf c = new org.apache.spark.SparkConf().setAppName("kerasport finetune").setMaster(master);
        if (!c.contains("spark.ui.enabled")) c.set("spark.ui.enabled", "false");
        if (master.startsWith("local") && !c.contains("spark.driver.host")) c.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        JavaSparkContext sc = new JavaSparkContext(c);
        try {
            SparkGradients g = new SparkGradients(sc, partitions > 0 ? partitions : sc.defaultParallelism());
            return new StepGradients() {
                @Override
                public void start(ComputationGraph graph, TrainingData train, boolean outputs) {
                    g.start(graph, train, outputs);
                }

                @Override
                public Sums sums(INDArray params, int[] rows, int iteration, int epoch) {
                    return g.sums(params, rows, iteration, epoch);
                }

                @Override
                public void close() {
                    try {
                        g.close();
                    } finally {
                        sc.stop();
                    }
                }

                @Override
                public String toString() {
                    return g.toString();
                }
            };
        } catch (RuntimeException | Error e) {
            sc.stop();
            throw e;
        }
    }

    public int partitions() {
        return partitions;
    }

    @Override
    public void start(ComputationGraph graph, TrainingData train, boolean outputs) {
        this.outputs = outputs;
        this.paramCount = graph.numParams();
        conf = sc.broadcast(graph.getConfiguration().toJson());
        List<Shard> parts = new ArrayList<>();
        for (int j = 0; j < partitions; j++) {
            int count = (int) ((train.rows() - j + partitions - 1) / partitions);
            int[] rows = new int[Math.max(0, count)];
            for (int i = 0; i < rows.length; i++) rows[i] = j + i * partitions;
            parts.add(new Shard(rows, train.rows(rows)));
        }
        // cut here, held by the executors from now on: the steps' tasks carry no data
        org.apache.spark.rdd.RDD<Shard> held = sc.parallelize(parts, partitions).map(s -> s).rdd();
        held.persist(StorageLevel.MEMORY_ONLY());
        held.localCheckpoint();
        shards = JavaRDD.fromRDD(held, scala.reflect.ClassTag$.MODULE$.apply(Shard.class));
        shards.count();
    }

    @Override
    public Sums sums(INDArray params, int[] rows, int iteration, int epoch) {
        Broadcast<Step> step = sc.broadcast(new Step(params.dup().data().asFloat(), rows, iteration, epoch));
        List<Partial> parts;
        try {
            parts = shards.mapPartitions(new Compute(runId, conf, step, outputs)).collect();
        } finally {
            step.destroy(false);
        }
        INDArray sum = Nd4j.zeros(DataType.FLOAT, paramCount);
        double score = 0;
        int seen = 0;
        List<float[]> outs = new ArrayList<>();
        List<long[]> outShapes = new ArrayList<>();
        parts = new ArrayList<>(parts);
        parts.sort((a, b) -> Integer.compare(a.partition, b.partition));
        for (Partial p : parts) {
            if (p.rows == 0) continue;
            sum.addi(Nd4j.createFromArray(p.gradient));
            score += p.scoreSum;
            seen += p.rows;
            for (int o = 0; o < p.outputs.length; o++) {
                if (outs.size() <= o) {
                    long[] shape = p.outputShapes[o].clone();
                    shape[0] = rows.length;
                    outs.add(new float[Math.toIntExact(p.outputs[o].length / p.rows * (long) rows.length)]);
                    outShapes.add(shape);
                }
                int w = p.outputs[o].length / p.rows;
                for (int r = 0; r < p.rows; r++) System.arraycopy(p.outputs[o], r * w, outs.get(o), p.positions[r] * w, w);
            }
        }
        if (seen != rows.length)
            throw new IllegalStateException("the partitions held " + seen + " of the batch's " + rows.length + " rows");
        List<INDArray> out = new ArrayList<>();
        for (int o = 0; o < outs.size(); o++) out.add(Nd4j.create(outs.get(o), outShapes.get(o), 'c'));
        return new Sums(sum, score, out);
    }

    @Override
    public void close() {
        String id = runId;
        try {
            // free the executors' graphs of this run (on the executors that hold partitions; others keep theirs until exit)
            if (shards != null) shards.foreachPartition(it -> Replicas.release(id));
        } finally {
            if (shards != null) shards.unpersist(false);
            if (conf != null) conf.destroy(false);
            shards = null;
            conf = null;
        }
    }

    @Override
    public String toString() {
        return "Spark (" + sc.master() + ", " + partitions + " partition" + (partitions == 1 ? "" : "s") + ")";
    }

    /** A partition's rows: their indices in the training data, ascending, and their data. */
    static final class Shard implements Serializable {
        private static final long serialVersionUID = 1L;
        final int[] rows;
        final float[][] data;
        final long[][] shapes;
        final int inputs;
        private transient Map<Integer, Integer> local;

        Shard(int[] rows, TrainingData d) {
            this.rows = rows;
            List<NdArray> all = new ArrayList<>(d.inputs());
            all.addAll(d.targets());
            data = new float[all.size()][];
            shapes = new long[all.size()][];
            for (int i = 0; i < all.size(); i++) {
                data[i] = all.get(i).data();
                shapes[i] = all.get(i).shape();
            }
            inputs = d.inputs().size();
        }

        /** Where row {@code row} of the training data is in this shard, or null. */
        synchronized Integer local(int row) {
            if (local == null) {
                local = new HashMap<>();
                for (int i = 0; i < rows.length; i++) local.put(rows[i], i);
            }
            return local.get(row);
        }

        /** Array {@code a} at local rows {@code at}, as a DL4J array. */
        INDArray gather(int a, int[] at) {
            long[] shape = shapes[a].clone();
            int w = Math.toIntExact(shape[0] == 0 ? 0 : data[a].length / shape[0]);
            float[] out = new float[at.length * w];
            for (int k = 0; k < at.length; k++) System.arraycopy(data[a], at[k] * w, out, k * w, w);
            shape[0] = at.length;
            return Nd4j.create(out, shape, 'c');
        }
    }

    /** What a step broadcasts: the parameters, the batch's rows, the counts the layers see. */
    record Step(float[] params, int[] rows, int iteration, int epoch) implements Serializable {
    }

    /** A partition's part of a step: its batch rows' gradient and score sums, their positions in the batch, outputs. */
    static final class Partial implements Serializable {
        private static final long serialVersionUID = 1L;
        int partition;
        int rows;
        float[] gradient;
        double scoreSum;
        int[] positions;
        float[][] outputs = new float[0][];
        long[][] outputShapes = new long[0][];
    }

    /** The task: the sums over the batch rows of this partition. */
    static final class Compute implements org.apache.spark.api.java.function.FlatMapFunction<Iterator<Shard>, Partial> {
        private static final long serialVersionUID = 1L;
        private final String runId;
        private final Broadcast<String> conf;
        private final Broadcast<Step> step;
        private final boolean outputs;

        Compute(String runId, Broadcast<String> conf, Broadcast<Step> step, boolean outputs) {
            this.runId = runId;
            this.conf = conf;
            this.step = step;
            this.outputs = outputs;
        }

        @Override
        public Iterator<Partial> call(Iterator<Shard> it) {
            // before anything here loads ND4J in an executor JVM: ND4J's native build for this CPU (an executor that
            // loaded the AVX-512 build on a CPU without AVX-512 died of SIGILL in the first step's task)
            org.kerasport.dl4j.runtime.Backend.init();
            Partial p = new Partial();
            p.partition = org.apache.spark.TaskContext.getPartitionId();
            Shard shard = it.hasNext() ? it.next() : null;
            Step s = step.value();
            int[] at = new int[s.rows().length], positions = new int[s.rows().length];
            int n = 0;
            if (shard != null)
                for (int i = 0; i < s.rows().length; i++) {
                    Integer l = shard.local(s.rows()[i]);
                    if (l != null) {
                        at[n] = l;
                        positions[n++] = i;
                    }
                }
            p.rows = n;
            p.positions = Arrays.copyOf(positions, n);
            if (n == 0) return List.of(p).iterator();
            at = Arrays.copyOf(at, n);
            INDArray[] x = new INDArray[shard.inputs], y = new INDArray[shard.data.length - shard.inputs];
            for (int i = 0; i < x.length; i++) x[i] = shard.gather(i, at);
            for (int i = 0; i < y.length; i++) y[i] = shard.gather(shard.inputs + i, at);
            Replicas.Replica r = Replicas.take(runId, conf.value());
            try {
                ComputationGraph g = r.graph();
                g.params().assign(Nd4j.createFromArray(s.params()));
                g.getConfiguration().setIterationCount(s.iteration());
                g.getConfiguration().setEpochCount(s.epoch());
                for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
                    l.setIterationCount(s.iteration());
                    l.setEpochCount(s.epoch());
                }
                g.setInputs(x);
                g.setLabels(y);
                g.computeGradientAndScore();
                p.gradient = g.getFlattenedGradients().dup().data().asFloat();
                p.scoreSum = g.score() * n;
                List<INDArray> outs = r.capture().take();
                if (outputs) {
                    p.outputs = new float[outs.size()][];
                    p.outputShapes = new long[outs.size()][];
                    for (int o = 0; o < outs.size(); o++) {
                        p.outputs[o] = outs.get(o).dup('c').data().asFloat();
                        p.outputShapes[o] = outs.get(o).shape();
                    }
                }
                g.clearLayersStates();
            } finally {
                Replicas.give(runId, r);
            }
            return List.of(p).iterator();
        }
    }

    /** The graphs of each run in this JVM (driver or executor), one per task running at once, kept between steps. */
    static final class Replicas {
        static {
            org.kerasport.dl4j.runtime.Backend.init(); // before ND4J loads its native library in an executor JVM
        }

        record Replica(ComputationGraph graph, OutputCapture capture) {
        }

        private static final Map<String, ConcurrentLinkedQueue<Replica>> POOLS = new ConcurrentHashMap<>();

        static Replica take(String runId, String confJson) {
            Replica r = POOLS.computeIfAbsent(runId, k -> new ConcurrentLinkedQueue<>()).poll();
            if (r != null) return r;
            ComputationGraph g = new ComputationGraph(ComputationGraphConfiguration.fromJson(confJson));
            g.init();
            org.kerasport.dl4j.GraphPasses.attachHelpers(g);
            OutputCapture c = new OutputCapture();
            g.setListeners(c);
            return new Replica(g, c);
        }

        static void give(String runId, Replica r) {
            POOLS.computeIfAbsent(runId, k -> new ConcurrentLinkedQueue<>()).add(r);
        }

        static void release(String runId) {
            POOLS.remove(runId);
        }
    }
}
