package org.kerasport.train.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.kerasport.util.AtomicFiles;

/**
 * The training curves of a {@link History} as one PNG: loss and val_loss on the top chart, then one chart per other
 * metric (with its val_ twin) stacked below; x = epoch, 1-based as Keras prints it. Rendered off-screen with XChart
 * (works with {@code -Djava.awt.headless=true}, no display needed).
 */
public final class HistoryPlot {
    /** Image width in pixels. */
    public static final int WIDTH = 900;
    /** Height of each chart when there are two or more. */
    public static final int PANEL_HEIGHT = 350;
    /** Height of the whole image at least (a lone loss chart is this tall). */
    public static final int MIN_HEIGHT = 700;

    private static final Color TRAIN = new Color(0x1f, 0x77, 0xb4); // matplotlib's first two colours, as Keras users see them
    private static final Color VAL = new Color(0xff, 0x7f, 0x0e);
    private static final int MARKERS_UP_TO = 40; // epochs; beyond that markers clutter the curve

    private static Thread warmUp;

    private HistoryPlot() {
    }

    /**
     * Starts loading and initializing what a plot needs (Java2D, its fonts, XChart, the PNG encoder) on a background
     * daemon thread, so the plot written after training does not pay for it: a first plot in a fresh JVM took
     * 0.35-0.7 s, mostly that set-up, while training leaves a core idle. Once per process; {@link #write} waits for it.
     */
    public static synchronized void prepare() {
        if (warmUp != null) return;
        warmUp = new Thread(() -> {
            try {
                History h = new History();
                h.add(0, Map.of("loss", 1.0, "accuracy", 0.5));
                h.add(1, Map.of("loss", 0.5, "accuracy", 0.75));
                ImageIO.write(render(h, "warm-up"), "png", new java.io.ByteArrayOutputStream());
            } catch (Throwable ignored) {
                // a warm-up only: the real plot reports its own failures
            }
        }, "kerasport-plot-warm-up");
        warmUp.setDaemon(true);
        warmUp.setPriority(Thread.MIN_PRIORITY);
        warmUp.start();
    }

    private static void awaitWarmUp() {
        Thread t;
        synchronized (HistoryPlot.class) {
            t = warmUp;
        }
        if (t == null) return;
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Renders {@code history} and writes it to {@code png} (atomically; an existing file only with {@code force}). */
    public static void write(History history, Path png, String title, boolean force) {
        awaitWarmUp(); // two first renders at once would each do the set-up
        BufferedImage img = render(history, title);
        AtomicFiles.write(png, force, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new java.io.IOException("no PNG writer in this JVM");
        });
    }

    /** The image {@link #write} writes: {@link #WIDTH} wide, {@code max(MIN_HEIGHT, charts * PANEL_HEIGHT)} tall. */
    public static BufferedImage render(History history, String title) {
        if (history.size() == 0) throw new IllegalArgumentException("the history has no epochs to plot");
        List<List<String>> panels = panels(history);
        int panelHeight = panels.size() == 1 ? MIN_HEIGHT : PANEL_HEIGHT;
        int height = Math.max(MIN_HEIGHT, panels.size() * panelHeight);
        if (panels.size() > 1) panelHeight = height / panels.size();
        BufferedImage out = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            for (int i = 0; i < panels.size(); i++) {
                String chartTitle = i == 0 && title != null && !title.isBlank() ? title : null;
                g.drawImage(BitmapEncoder.getBufferedImage(chart(history, panels.get(i), chartTitle, panelHeight)),
                        0, i * panelHeight, null);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** The keys on each chart: [loss, val_loss] first, then [metric, val_metric] per metric in history order. */
    static List<List<String>> panels(History history) {
        Map<String, List<String>> byBase = new LinkedHashMap<>();
        List<String> keys = history.keys();
        if (keys.contains("loss") || keys.contains("val_loss")) byBase.put("loss", new ArrayList<>());
        for (String k : keys) {
            String base = k.startsWith("val_") && (keys.contains(k.substring(4)) || k.equals("val_loss")) ? k.substring(4) : k;
            byBase.computeIfAbsent(base, b -> new ArrayList<>()).add(k);
        }
        return new ArrayList<>(byBase.values());
    }

    private static XYChart chart(History history, List<String> keys, String title, int height) {
        String yTitle = keys.get(0).startsWith("val_") ? keys.get(0).substring(4) : keys.get(0);
        XYChart chart = new XYChartBuilder().width(WIDTH).height(height)
                .title(title == null ? "" : title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        XYStyler s = chart.getStyler();
        s.setChartTitleVisible(title != null);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
        s.setPlotBorderColor(Color.GRAY);
        s.setLegendPosition(Styler.LegendPosition.OutsideS); // below: every chart's plot area gets the same width
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setLegendBorderColor(Color.WHITE);
        s.setXAxisDecimalPattern("#");
        s.setChartPadding(12);
        int n = history.size();
        s.setXAxisMin(1.0);
        s.setXAxisMax((double) Math.max(2, n));
        s.setXAxisTickMarkSpacingHint(n < 10 ? Math.max(60, 700 / Math.max(1, n)) : 90);
        double[] x = new double[n];
        List<Integer> epochs = history.epochs();
        for (int i = 0; i < n; i++) x[i] = epochs.get(i) + 1;
        double maxAbs = 0;
        for (String k : keys)
            for (double v : history.get(k)) if (Double.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
        s.setYAxisDecimalPattern(maxAbs > 0 && maxAbs < 1e-3 ? "0.###E0" : "0.####"); // 0.01, not .01
        for (String k : keys) {
            double[] y = history.get(k).stream().mapToDouble(Double::doubleValue).toArray();
            for (int i = 0; i < y.length; i++) if (Double.isInfinite(y[i])) y[i] = Double.NaN; // a diverged step: a gap
            XYSeries series = chart.addSeries(label(history, k, keys), x, y);
            boolean val = k.startsWith("val_");
            series.setLineColor(val ? VAL : TRAIN);
            series.setMarkerColor(val ? VAL : TRAIN);
            series.setLineStyle(new BasicStroke(2f));
            series.setMarker(n <= MARKERS_UP_TO ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        return chart;
    }

    /** The series name, with the best value and its epoch on the key that matters (val_ when there is one). */
    private static String label(History history, String key, List<String> panelKeys) {
        boolean marks = key.startsWith("val_") || panelKeys.stream().noneMatch(k -> k.startsWith("val_"));
        if (!marks) return key;
        OptionalInt best;
        try {
            best = history.bestEpoch(key);
        } catch (IllegalArgumentException e) {
            return key;
        }
        if (best.isEmpty()) return key;
        int i = history.epochs().indexOf(best.getAsInt());
        return String.format(Locale.ROOT, "%s (best %s, epoch %d)", key, PyFormat.metric(history.get(key).get(i)),
                best.getAsInt() + 1);
    }
}
