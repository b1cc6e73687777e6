package org.kerasport.train.report;

import java.io.PrintStream;
import java.util.Map;

/**
 * Progress as one line per epoch, for logs and pipes (Keras' {@code verbose=2}):
 * {@code epoch 3/10 - 0.4 s - loss: 0.1023 - accuracy: 0.8740 - val_loss: 0.0950 - val_accuracy: 0.8950}.
 */
public final class EpochLog implements TrainingListener {
    private final PrintStream out;
    private int epochs = -1;

    /** Writes to {@code out} (normally stderr). */
    public EpochLog(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onTrainStart(int epochs, long batchesPerEpoch) {
        this.epochs = epochs;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs, double seconds) {
        String logText = Progress.formatLogs(logs);
        out.println("epoch " + (epoch + 1) + (epochs > 0 ? "/" + epochs : "") + " - " + Progress.duration(seconds)
                + (logText.isEmpty() ? "" : " - " + logText));
        out.flush();
    }
}
