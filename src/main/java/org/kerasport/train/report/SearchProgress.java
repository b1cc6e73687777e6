package org.kerasport.train.report;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.kerasport.train.DecaySearch;

/**
 * Progress over a whole weight-decay search, counted in epochs of all fits: on a terminal a bar redrawn in place
 * ({@code tune-decay [=====>.....] 12/45 fits - ETA 1:02}); otherwise one plain line per finished fit. Thread-safe.
 */
public final class SearchProgress implements DecaySearch.Listener {
    private static final int BAR = 30;
    private final PrintStream out;
    private final boolean terminal;
    private final int width;
    private final LongSupplier nanos;
    private long totalEpochs;
    private long epochsDone;
    private int fits;
    private int fitsDone;
    private long start;
    private long lastDraw = Long.MIN_VALUE;

    public SearchProgress(PrintStream out, boolean terminal, int width, LongSupplier nanos) {
        this.out = out;
        this.terminal = terminal;
        this.width = Math.max(20, width);
        this.nanos = nanos;
    }

    /** Nothing when quiet, a bar on a terminal, plain lines otherwise. */
    public static DecaySearch.Listener forStream(PrintStream err, boolean quiet, boolean isTerminal) {
        if (quiet) return new DecaySearch.Listener() {
        };
        return new SearchProgress(err, isTerminal, isTerminal ? Progress.terminalWidth() : Progress.DEFAULT_WIDTH, System::nanoTime);
    }

    @Override
    public synchronized void onStart(int fits, int epochsPerFit) {
        this.fits = fits;
        this.totalEpochs = (long) fits * epochsPerFit;
        this.start = nanos.getAsLong();
        if (!terminal) out.println("tune-decay: " + fits + " fits of " + epochsPerFit + " epochs");
    }

    @Override
    public synchronized void onEpochEnd(DecaySearch.Fit fit, int epoch) {
        epochsDone++;
        if (!terminal) return;
        long now = nanos.getAsLong();
        if (lastDraw != Long.MIN_VALUE && now - lastDraw < 100_000_000L && epochsDone < totalEpochs) return;
        lastDraw = now;
        draw(now, fit);
    }

    @Override
    public synchronized void onFitEnd(DecaySearch.FitResult r, int done, int total) {
        fitsDone = done;
        if (terminal) return;
        DecaySearch.Fit f = r.fit();
        out.printf(Locale.ROOT, "fit %d/%d: %s λ=%s fold %d - val_loss: %s - %s%n", done, total, f.penalty().key(),
                DecaySearchReport.lambda(f.lambda()), f.fold() + 1, PyFormat.metric(r.val().get("val_loss")), Progress.duration(r.seconds()));
    }

    @Override
    public synchronized void onEnd(double seconds) {
        if (terminal) {
            out.print("\r" + " ".repeat(width - 1) + "\r");
            out.println("tune-decay: " + fits + " fits in " + Progress.duration(seconds));
        } else {
            out.println("tune-decay: done in " + Progress.duration(seconds));
        }
        out.flush();
    }

    private void draw(long now, DecaySearch.Fit fit) {
        double frac = totalEpochs == 0 ? 1 : (double) epochsDone / totalEpochs;
        int filled = (int) Math.round(frac * BAR);
        StringBuilder sb = new StringBuilder("tune-decay [");
        for (int i = 0; i < BAR; i++) sb.append(i < filled ? '=' : i == filled ? '>' : '.');
        double elapsed = (now - start) / 1e9;
        sb.append("] ").append(fitsDone).append('/').append(fits).append(" fits");
        if (epochsDone < totalEpochs && epochsDone > 0) sb.append(" - ETA ").append(Progress.duration(elapsed / epochsDone * (totalEpochs - epochsDone)));
        sb.append(" - ").append(fit.penalty().key()).append(" λ=").append(DecaySearchReport.lambda(fit.lambda()));
        String line = sb.length() > width - 1 ? sb.substring(0, width - 1) : sb.toString();
        out.print("\r" + line + " ".repeat(Math.max(0, width - 1 - line.length())));
        out.flush();
    }
}
