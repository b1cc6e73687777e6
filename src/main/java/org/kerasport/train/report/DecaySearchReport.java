package org.kerasport.train.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.kerasport.train.DecaySearch;
import org.kerasport.util.AtomicFiles;

/** The outputs of a weight-decay search: text table, CSV (summary and per fold), JSON and the plot of val_loss against λ. */
public final class DecaySearchReport {
    private static final Color[] COLORS = {new Color(0x1f, 0x77, 0xb4), new Color(0xff, 0x7f, 0x0e), new Color(0x2c, 0xa0, 0x2c)};

    private DecaySearchReport() {
    }

    /** λ as Python prints it: 0.0001, 1e-05. */
    public static String lambda(double l) {
        return PyFormat.repr(l);
    }

    /** The table: one row per penalty and λ, mean ± sd of every validation value, the best marked with *. */
    public static String text(DecaySearch.Result r) {
        List<String[]> cells = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("penalty", "lambda"));
        head.addAll(r.keys());
        head.add("");
        cells.add(head.toArray(String[]::new));
        for (DecaySearch.Row row : r.rows()) {
            List<String> c = new ArrayList<>(List.of(row.penalty().key(), lambda(row.lambda())));
            for (String k : r.keys()) {
                double sd = row.sd().get(k);
                c.add(PyFormat.metric(row.mean().get(k)) + (Double.isNaN(sd) ? "" : " ± " + PyFormat.metric(sd)));
            }
            c.add(row == r.best() ? "* best" : "");
            cells.add(c.toArray(String[]::new));
        }
        int[] w = new int[head.size()];
        for (String[] c : cells) for (int i = 0; i < c.length; i++) w[i] = Math.max(w[i], c[i].length());
        StringBuilder sb = new StringBuilder();
        for (String[] c : cells) {
            StringBuilder line = new StringBuilder(" ");
            for (int i = 0; i < c.length; i++) line.append(' ').append(String.format(Locale.ROOT, "%-" + Math.max(1, w[i]) + "s", c[i])).append(' ');
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    /** The JSON object of --json: {"results": [{penalty, lambda, val_loss_mean, val_loss_sd, ...}], "best": {penalty, lambda}}. */
    public static String json(DecaySearch.Result r) {
        List<Object> results = new ArrayList<>();
        for (DecaySearch.Row row : r.rows()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("penalty", row.penalty().key());
            o.put("lambda", row.lambda());
            for (String k : r.keys()) {
                o.put(k + "_mean", finite(row.mean().get(k)));
                o.put(k + "_sd", finite(row.sd().get(k)));
            }
            results.add(o);
        }
        Map<String, Object> best = new LinkedHashMap<>();
        best.put("penalty", r.best().penalty().key());
        best.put("lambda", r.best().lambda());
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("results", results);
        root.put("best", best);
        return PyFormat.json(root);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null; // strict JSON: no NaN (one split has no sd)
    }

    /** One row per penalty and λ: penalty, lambda, then KEY_mean, KEY_sd per validation key, then best (1/0). */
    public static void writeCsv(DecaySearch.Result r, Path file, boolean force) {
        StringBuilder sb = new StringBuilder("penalty,lambda");
        for (String k : r.keys()) sb.append(',').append(k).append("_mean,").append(k).append("_sd");
        sb.append(",best\r\n");
        for (DecaySearch.Row row : r.rows()) {
            sb.append(row.penalty().key()).append(',').append(PyFormat.repr(row.lambda()));
            for (String k : r.keys()) sb.append(',').append(PyFormat.repr(row.mean().get(k))).append(',').append(PyFormat.repr(row.sd().get(k)));
            sb.append(',').append(row == r.best() ? 1 : 0).append("\r\n");
        }
        AtomicFiles.writeBytes(file, force, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** One row per fit: penalty, lambda, fold (0-based), the validation values, seconds. */
    public static void writeFoldsCsv(DecaySearch.Result r, Path file, boolean force) {
        StringBuilder sb = new StringBuilder("penalty,lambda,fold");
        for (String k : r.keys()) sb.append(',').append(k);
        sb.append(",seconds\r\n");
        for (DecaySearch.FitResult f : r.fits()) {
            sb.append(f.fit().penalty().key()).append(',').append(PyFormat.repr(f.fit().lambda())).append(',').append(f.fit().fold());
            for (String k : r.keys()) sb.append(',').append(PyFormat.repr(f.val().getOrDefault(k, Double.NaN)));
            sb.append(',').append(String.format(Locale.ROOT, "%.3f", f.seconds())).append("\r\n");
        }
        AtomicFiles.writeBytes(file, force, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Mean validation loss against λ (log x axis) with ± sd error bars, one line per penalty; λ = 0 is left out. */
    public static BufferedImage plot(DecaySearch.Result r) {
        XYChart chart = new XYChartBuilder().width(900).height(600)
                .title("Validation loss (no penalty terms) against λ, " + r.protocol()).xAxisTitle("λ").yAxisTitle("val_loss").build();
        var s = chart.getStyler();
        s.setXAxisLogarithmic(true);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setLegendBorderColor(Color.WHITE);
        s.setXAxisDecimalPattern("0.#E0");
        s.setYAxisDecimalPattern("0.####");
        s.setErrorBarsColorSeriesColor(true);
        s.setChartPadding(12);
        int i = 0;
        for (DecaySearch.Penalty p : r.rows().stream().map(DecaySearch.Row::penalty).distinct().toList()) {
            List<DecaySearch.Row> rows = r.rows().stream().filter(x -> x.penalty() == p && x.lambda() > 0 && Double.isFinite(x.valLoss())).toList();
            if (rows.isEmpty()) continue;
            double[] x = rows.stream().mapToDouble(DecaySearch.Row::lambda).toArray();
            double[] y = rows.stream().mapToDouble(DecaySearch.Row::valLoss).toArray();
            double[] e = rows.stream().mapToDouble(row -> { double sd = row.sd().get("val_loss"); return Double.isFinite(sd) ? sd : 0; }).toArray();
            String name = p.key() + (r.best().penalty() == p ? " (best λ " + lambda(r.best().lambda()) + ")" : "");
            XYSeries series = chart.addSeries(name, x, y, e);
            Color c = COLORS[i++ % COLORS.length];
            series.setLineColor(c);
            series.setMarkerColor(c);
            series.setLineStyle(new BasicStroke(2f));
            series.setMarker(SeriesMarkers.CIRCLE);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    public static void writePlot(DecaySearch.Result r, Path png, boolean force) {
        BufferedImage img = plot(r);
        AtomicFiles.write(png, force, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new java.io.IOException("no PNG writer in this JVM");
        });
    }
}
