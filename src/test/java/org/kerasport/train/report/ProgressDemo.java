package org.kerasport.train.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fake training run for looking at the progress display in a real terminal (and in a pipe):
 * {@code java -cp target/classes:target/test-classes org.kerasport.train.report.ProgressDemo [epochs] [batches] [ms]}.
 */
public final class ProgressDemo {
    private ProgressDemo() {
    }

    public static void main(String[] args) throws InterruptedException {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int ms = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        TrainingListener p = Progress.forStream(System.err, false, Progress.stderrIsTerminal());
        History h = new History();
        long t0 = System.nanoTime();
        p.onTrainStart(epochs, batches);
        for (int e = 0; e < epochs; e++) {
            long te = System.nanoTime();
            p.onEpochStart(e);
            double loss = 0;
            for (int b = 0; b < batches; b++) {
                Thread.sleep(ms);
                loss += 0.5 / (1 + e + b / (double) batches);
                Map<String, Double> run = new LinkedHashMap<>();
                run.put("accuracy", 0.6 + 0.1 * e);
                run.put("loss", loss / (b + 1));
                p.onBatchEnd(e, b, run);
            }
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("accuracy", 0.6 + 0.1 * e);
            logs.put("loss", loss / batches);
            logs.put("val_accuracy", 0.65 + 0.1 * e);
            logs.put("val_loss", loss / batches * 1.1);
            h.add(e, logs);
            p.onEpochEnd(e, logs, (System.nanoTime() - te) / 1e9);
        }
        p.onTrainEnd(h, (System.nanoTime() - t0) / 1e9);
    }
}
