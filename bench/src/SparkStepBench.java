import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.spark.SparkGradients;
import org.kerasport.train.FineTuner;
import org.kerasport.train.ModelOutputs;
import org.kerasport.train.data.DataSources;
import org.kerasport.train.data.TrainingData;

/**
 * Per-step time of FineTuner alone against FineTuner with SparkGradients (local[N] in this JVM), after a warm-up run
 * of each: java SparkStepBench MODEL DATA BATCH EPOCHS MASTER K... [--fresh] [--rows=N] (the first N rows). Prints one line per engine: ms per step
 * (from the end of the first step to the end of the last, over steps - 1: no set-up; median of ROUNDS runs), the
 * model's parameter count, the batch size.
 */
public final class SparkStepBench {
    public static void main(String[] a) {
        Path model = Path.of(a[0]);
        String data = a[1];
        int batch = Integer.parseInt(a[2]), epochs = Integer.parseInt(a[3]);
        String master = a[4];
        boolean fresh = List.of(a).contains("--fresh");
        int rounds = Integer.getInteger("rounds", 3);
        KerasModel m = KerasReader.read(model);
        TrainingData all = DataSources.load(data, List.of(), ModelOutputs.signature(m));
        long rows = List.of(a).stream().filter(x -> x.startsWith("--rows=")).map(x -> Long.parseLong(x.substring(7))).findFirst().orElse(all.rows());
        TrainingData train = all.slice(0, Math.min(rows, all.rows()));
        int steps = (int) ((train.rows() + batch - 1) / batch) * epochs;
        JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster(master).setAppName("SparkStepBench")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"));
        try {
            long params = 0;
            for (String engine : engines(a)) {
                double[] t = new double[rounds];
                for (int r = -1; r < rounds; r++) { // r = -1: warm-up
                    int k = engine.equals("local") ? 0 : Integer.parseInt(engine);
                    FineTuner.Builder b = FineTuner.builder(KerasReader.read(model)).data(train).epochs(epochs).batchSize(batch)
                            .freshOptimizer(fresh).twoThreadSteps(false);
                    // per step: from the end of the first step to the end of the last, over steps - 1 (no set-up)
                    long[] ends = new long[2];
                    int[] seen = new int[1];
                    b.listener(new org.kerasport.train.report.TrainingListener() {
                        @Override
                        public void onBatchEnd(int epoch, long batchIndex, java.util.Map<String, Double> logs) {
                            long now = System.nanoTime();
                            if (seen[0]++ == 0) ends[0] = now;
                            ends[1] = now;
                        }
                    });
                    FineTuner.Result res;
                    if (k == 0) res = b.build().run();
                    else try (SparkGradients g = new SparkGradients(sc, k)) {
                        res = b.stepGradients(g).build().run();
                    }
                    params = res.model().graph().numParams();
                    if (r >= 0) t[r] = (ends[1] - ends[0]) / 1e6 / (steps - 1);
                }
                java.util.Arrays.sort(t);
                System.out.printf(java.util.Locale.ROOT, "%s\tengine=%s\tms_per_step=%.2f\tmin=%.2f\tmax=%.2f\tparams=%d\tbatch=%d\tsteps=%d%n",
                        model.getFileName(), engine.equals("local") ? "local" : "spark k=" + engine + " " + master, t[rounds / 2], t[0], t[rounds - 1],
                        params, batch, steps);
            }
        } finally {
            sc.stop();
        }
    }

    private static List<String> engines(String[] a) {
        List<String> e = new java.util.ArrayList<>(List.of("local"));
        for (int i = 5; i < a.length; i++) if (!a[i].startsWith("--")) e.add(a[i]);
        return e;
    }
}
