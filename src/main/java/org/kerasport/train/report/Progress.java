package org.kerasport.train.report;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Chooses how training progress is shown, and the formatting the progress displays share. */
public final class Progress {
    /** Shows nothing. */
    public static final TrainingListener QUIET = new TrainingListener() {
    };

    /** Terminal width assumed when it cannot be found out. */
    public static final int DEFAULT_WIDTH = 80;

    private Progress() {
    }

    /**
     * The progress display for {@code err}: nothing when {@code quiet}; a redrawn progress bar when {@code isTerminal}
     * (see {@link #stderrIsTerminal()}); otherwise one log line per epoch, as Keras' {@code verbose=2}.
     */
    public static TrainingListener forStream(PrintStream err, boolean quiet, boolean isTerminal) {
        if (quiet) return QUIET;
        return isTerminal ? new ProgressBar(err, terminalWidth(), System::nanoTime) : new EpochLog(err);
    }

    /**
     * Whether this process' stderr is an interactive terminal (Linux: /proc/self/fd/2 is a tty device; elsewhere
     * whether the JVM has a console). {@code TERM=dumb} counts as no terminal.
     */
    public static boolean stderrIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) return false;
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.exists(Path.of("/proc/self/fd"))) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return System.console() != null;
    }

    /** The terminal's width in columns: {@code $COLUMNS}, else {@code stty size} on /dev/tty, else {@value #DEFAULT_WIDTH}. */
    public static int terminalWidth() {
        try {
            int c = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "").trim());
            if (c > 0) return c;
        } catch (NumberFormatException ignored) {
            // not set: ask the terminal
        }
        File tty = new File("/dev/tty");
        if (tty.exists()) {
            try {
                Process p = new ProcessBuilder("stty", "size").redirectInput(tty).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    String[] rc = out.split("\\s+");
                    if (rc.length == 2 && Integer.parseInt(rc[1]) > 0) return Integer.parseInt(rc[1]);
                }
            } catch (IOException | NumberFormatException e) {
                // no stty, or no controlling terminal
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return DEFAULT_WIDTH;
    }

    /** {@code loss: 0.1023 - accuracy: 0.8740 - val_loss: ...}: training keys first (loss leading), then val_ keys. */
    static String formatLogs(Map<String, Double> logs) {
        List<String> train = new ArrayList<>();
        List<String> val = new ArrayList<>();
        for (String k : logs.keySet()) {
            List<String> side = k.startsWith("val_") ? val : train;
            if (k.equals("loss") || k.equals("val_loss")) side.add(0, k);
            else side.add(k);
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> side : List.of(train, val))
            for (String k : side) {
                Double v = logs.get(k);
                if (sb.length() > 0) sb.append(" - ");
                sb.append(k).append(": ").append(v == null ? "nan" : PyFormat.metric(v));
            }
        return sb.toString();
    }

    /** A duration: {@code 0.4 s}, {@code 12.3 s}, {@code 2:05}, {@code 1:02:05}. */
    static String duration(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) return "?";
        if (seconds < 60) return String.format(Locale.ROOT, "%.1f s", seconds);
        long s = Math.round(seconds);
        return s < 3600 ? String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
