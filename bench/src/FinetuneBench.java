import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kerasport.data.NdArray;
import org.kerasport.format.KerasReader;
import org.kerasport.format.ReadOptions;
import org.kerasport.model.KerasModel;
import org.kerasport.train.FineTuner;
import org.kerasport.train.ModelOutputs;
import org.kerasport.train.data.Batches;
import org.kerasport.train.data.DataSources;
import org.kerasport.train.data.TrainingData;
import org.kerasport.train.report.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Fine-tuning throughput of Kerasport in one JVM, the Java side of bench/finetune.sh.
 * Usage: java -cp target/classes:target/lib/*:bench/classes FinetuneBench MODEL DATA.npz BATCH EPOCHS OUT.json [fresh]
 * (fresh: FineTuner.freshOptimizer(true), as `kerasport finetune --fresh-optimizer`)
 *
 * <ol>
 *   <li>JVM warm-up: one FineTuner run of one epoch (discarded);</li>
 *   <li>the measured run: FineTuner from the file's weights and optimizer state, EPOCHS epochs, shuffle off, each
 *       epoch's wall time and the history (the loss to compare with Keras);</li>
 *   <li>predict: the trained graph's output(false, ...) over all rows in batches of 256, as `kerasport predict`
 *       does, one warm-up pass and the median of 3;</li>
 *   <li>where a training step's time goes (after training, >= 20 steps in FineTuner's order, medians): building the
 *       batch (row copy + Nd4j.create), the extra training-mode forward pass FineTuner runs for the metrics, the
 *       accuracy's ND4J op chain (as FineTuner's Metrics computes it), and ComputationGraph.fit (forward, backward,
 *       updater). The rest of an epoch's time per step is FineTuner's loop around these.</li>
 * </ol>
 * Peak RSS is /proc/self/status VmHWM, after training and at the end.
 */
public class FinetuneBench {
    public static void main(String[] a) throws Exception {
        org.kerasport.dl4j.runtime.Backend.init(); // Kerasport's native choices, before ND4J loads
        Path model = Path.of(a[0]);
        String data = a[1];
        int batch = Integer.parseInt(a[2]), epochs = Integer.parseInt(a[3]);
        boolean fresh = a.length > 5 && a[5].equals("fresh");
        long t0 = System.nanoTime();
        KerasModel km = KerasReader.read(model, new ReadOptions(null, true, false));
        TrainingData train = DataSources.load(data, List.of(), ModelOutputs.signature(km));
        long rows = train.rows();

        FineTuner.builder(km).data(train).epochs(1).batchSize(batch).shuffle(false).freshOptimizer(fresh).build().run();
        double warmupDone = (System.nanoTime() - t0) / 1e9;

        List<Double> epochS = new ArrayList<>();
        TrainingListener timer = new TrainingListener() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, double seconds) {
                epochS.add(seconds);
            }
        };
        FineTuner.Result r = FineTuner.builder(km).data(train).epochs(epochs).batchSize(batch).shuffle(false)
                .freshOptimizer(fresh).listener(timer).build().run();
        long trainPeak = vmHwmKb();
        ComputationGraph g = r.model().graph();

        INDArray x = Nd4j.create(train.inputs().get(0).data(), train.inputs().get(0).shape(), 'c');
        predict(g, x, 256);
        double[] pt = new double[3];
        for (int i = 0; i < pt.length; i++) {
            long s = System.nanoTime();
            predict(g, x, 256);
            pt[i] = (System.nanoTime() - s) / 1e9;
        }

        // where a step's time goes
        List<Double> prep = new ArrayList<>(), metricsFwd = new ArrayList<>(), metricOps = new ArrayList<>(), fit = new ArrayList<>(), totals = new ArrayList<>();
        List<int[]> batches = Batches.batches(rows, batch, false, 0, 0);
        for (int pass = 0; pass < Math.max(1, Math.ceil(20.0 / batches.size())); pass++)
            for (int[] idx : batches) {
                long s0 = System.nanoTime();
                TrainingData b = train.rows(idx);
                MultiDataSet mds = new MultiDataSet(new INDArray[]{arr(b.inputs().get(0))}, new INDArray[]{arr(b.targets().get(0))});
                long s1 = System.nanoTime();
                INDArray out = g.output(true, mds.getFeatures())[0];
                long s2 = System.nanoTime();
                g.fit(mds);
                g.score();
                long s3 = System.nanoTime();
                accuracy(out, arr(b.targets().get(0)));
                long s4 = System.nanoTime();
                totals.add((s4 - s0) / 1e6);
                prep.add((s1 - s0) / 1e6);
                metricsFwd.add((s2 - s1) / 1e6);
                fit.add((s3 - s2) / 1e6);
                metricOps.add((s4 - s3) / 1e6);
            }

        List<Double> steady = epochS.subList(1, epochS.size());
        StringBuilder j = new StringBuilder("{");
        j.append("\"engine\": \"kerasport\", \"rows\": ").append(rows).append(", \"batch\": ").append(batch);
        j.append(", \"epoch_s\": ").append(list(epochS));
        j.append(", \"history\": {").append(r.history().keys().stream()
                .map(k -> "\"" + k + "\": " + list(r.history().get(k))).collect(Collectors.joining(", "))).append("}");
        j.append(", \"train_samples_per_s\": ").append(num(rows / median(steady)));
        j.append(", \"predict_samples_per_s\": ").append(num(rows / median(toList(pt))));
        j.append(", \"step_ms\": {\"batch_prep\": ").append(num(median(prep))).append(", \"metrics_forward\": ")
                .append(num(median(metricsFwd))).append(", \"metric_ops\": ").append(num(median(metricOps))).append(", \"fit\": ").append(num(median(fit)))
                .append(", \"sum_of_parts\": ").append(num(median(totals)))
                .append(", \"mean_step\": ").append(num(totals.stream().mapToDouble(Double::doubleValue).average().orElse(0)))
                .append(", \"fine_tuner_epoch_per_step\": ").append(num(1000 * median(steady) / Math.ceil(rows / (double) batch))).append("}");
        j.append(", \"warmup_s\": ").append(num(warmupDone));
        j.append(", \"train_peak_rss_kb\": ").append(trainPeak).append(", \"peak_rss_kb\": ").append(vmHwmKb());
        j.append(", \"total_s\": ").append(num((System.nanoTime() - t0) / 1e9)).append("}\n");
        Files.writeString(Path.of(a[4]), j.toString());
        System.exit(0);
    }

    static void predict(ComputationGraph g, INDArray x, int batch) {
        long rows = x.size(0);
        for (long s = 0; s < rows; s += batch) {
            long e = Math.min(rows, s + batch);
            INDArray slice = x.get(NDArrayIndex.interval(s, e)).dup('c');
            g.output(false, slice)[0].dup();
        }
    }

    /** The ND4J op chain FineTuner's Metrics runs per batch for "accuracy" (binary for one unit, else categorical). */
    static double accuracy(INDArray p, INDArray t) {
        if (p.size(1) == 1)
            return p.gt(0.5).castTo(p.dataType()).eq(t).castTo(p.dataType()).mean(1).sumNumber().doubleValue();
        return p.argMax(1).eq(t.argMax(1)).castTo(p.dataType()).sumNumber().doubleValue();
    }

    static INDArray arr(NdArray a) {
        return Nd4j.create(a.data(), a.shape(), 'c');
    }

    static long vmHwmKb() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status")))
            if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        return -1;
    }

    static List<Double> toList(double[] v) {
        return Arrays.stream(v).boxed().collect(Collectors.toList());
    }

    static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    static String list(List<Double> v) {
        return v.stream().map(d -> String.format(Locale.ROOT, "%.9g", d)).collect(Collectors.joining(", ", "[", "]"));
    }
}
