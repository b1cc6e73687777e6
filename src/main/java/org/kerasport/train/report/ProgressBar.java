package org.kerasport.train.report;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A progress bar for a terminal, redrawn in place with {@code \r} at most {@value #MAX_REDRAWS_PER_SECOND} times a second:
 * {@code epoch 3/10 [=========>..........] 17/32 - ETA 1.2 s - loss: 0.1023 - accuracy: 0.8740}. At the end of each
 * epoch the line is completed with the epoch's time and validation values and kept (without the bar when that would
 * not fit the width); the next epoch starts a new line.
 * Lines being redrawn are cut to the terminal width so they never wrap (a wrapped line cannot be redrawn).
 */
public final class ProgressBar implements TrainingListener {
    /** Redraw rate limit. */
    public static final int MAX_REDRAWS_PER_SECOND = 10;
    private static final int BAR = 30;

    private final PrintStream out;
    private final int width;
    private final LongSupplier nanos;
    private int epochs = -1;
    private long batches = -1;
    private int currentEpoch = -1;
    private long epochStart;
    private long lastDraw;
    private int lastLength;
    private boolean lineOpen;

    /**
     * @param out   the terminal stream (normally stderr)
     * @param width the terminal width in columns ({@link Progress#terminalWidth()})
     * @param nanos the clock, {@code System::nanoTime} (tests pass their own)
     */
    public ProgressBar(PrintStream out, int width, LongSupplier nanos) {
        this.out = out;
        this.width = Math.max(20, width);
        this.nanos = nanos;
    }

    @Override
    public void onTrainStart(int epochs, long batchesPerEpoch) {
        this.epochs = epochs;
        this.batches = batchesPerEpoch;
        this.epochStart = nanos.getAsLong();
    }

    @Override
    public void onEpochStart(int epoch) {
        currentEpoch = epoch;
        epochStart = nanos.getAsLong();
        lastDraw = Long.MIN_VALUE;
    }

    @Override
    public void onBatchEnd(int epoch, long batch, Map<String, Double> runningLogs) {
        long now = nanos.getAsLong();
        if (epoch != currentEpoch) { // the trainer did not call onEpochStart: time the epoch from the last one's end
            currentEpoch = epoch;
            lastDraw = Long.MIN_VALUE;
        }
        boolean last = batches > 0 && batch + 1 >= batches;
        if (!last && lastDraw != Long.MIN_VALUE && now - lastDraw < 1_000_000_000L / MAX_REDRAWS_PER_SECOND) return;
        lastDraw = now;
        long done = batch + 1;
        double elapsed = (now - epochStart) / 1e9;
        StringBuilder sb = new StringBuilder(prefix(epoch, done));
        if (batches > 0 && done < batches) sb.append(" - ETA ").append(Progress.duration(elapsed / done * (batches - done)));
        else sb.append(" - ").append(Progress.duration(elapsed));
        String logs = Progress.formatLogs(runningLogs);
        if (!logs.isEmpty()) sb.append(" - ").append(logs);
        String line = sb.length() > width - 1 ? sb.substring(0, width - 1) : sb.toString();
        draw(line);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs, double seconds) {
        long done = batches > 0 ? batches : -1;
        String tail = " - " + Progress.duration(seconds);
        String text = Progress.formatLogs(logs);
        if (!text.isEmpty()) tail += " - " + text;
        String line = prefix(epoch, done) + tail;
        if (line.length() > width - 1) // the kept line would wrap: drop the bar, as the plain log reads
            line = "epoch " + (epoch + 1) + (epochs > 0 ? "/" + epochs : "") + tail;
        draw(line);
        out.print('\n');
        out.flush();
        lineOpen = false;
        lastLength = 0;
        currentEpoch = -1;
        epochStart = nanos.getAsLong();
    }

    @Override
    public void onTrainEnd(History history, double seconds) {
        if (lineOpen) { // stopped inside an epoch: keep what was drawn
            out.print('\n');
            out.flush();
            lineOpen = false;
            lastLength = 0;
        }
    }

    /** {@code epoch 3/10 [=========>..........] 17/32}, or {@code epoch 3/10 17} when the batch count is unknown. */
    private String prefix(int epoch, long done) {
        StringBuilder sb = new StringBuilder("epoch ").append(epoch + 1);
        if (epochs > 0) sb.append('/').append(epochs);
        if (batches > 0) {
            long d = Math.min(done < 0 ? batches : done, batches);
            int fill = (int) (BAR * d / batches);
            sb.append(" [").append("=".repeat(fill));
            if (fill < BAR) sb.append('>').append(".".repeat(BAR - fill - 1));
            sb.append("] ");
            String b = Long.toString(batches);
            sb.append(String.format(Locale.ROOT, "%" + b.length() + "d", d)).append('/').append(b);
        } else if (done > 0) {
            sb.append(" batch ").append(done);
        }
        return sb.toString();
    }

    private void draw(String line) {
        out.print('\r');
        out.print(line);
        if (line.length() < lastLength) out.print(" ".repeat(lastLength - line.length()));
        out.flush();
        lastLength = line.length();
        lineOpen = true;
    }
}
