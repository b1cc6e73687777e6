package org.kerasport.train.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.kerasport.util.AtomicFiles;

/**
 * What training (and its weight decay) did to each weight: the L2 norm before and after, the relative change of the
 * norm (negative = shrunk) and how far the weight moved (‖after − before‖ / ‖before‖), in model order, with the
 * regularizer or decay that applied to it. Totals over all weights close the table.
 */
public final class WeightNormReport {
    /** One weight's row. */
    public record Entry(String layer, String weight, long[] shape, String decay, double normBefore, double normAfter,
                        double distance) {
        /** (‖after‖ − ‖before‖) / ‖before‖; NaN when the weight started at zero. */
        public double relativeChange() {
            return normBefore == 0 ? Double.NaN : (normAfter - normBefore) / normBefore;
        }

        /** ‖after − before‖ / ‖before‖; NaN when the weight started at zero. */
        public double relativeUpdate() {
            return normBefore == 0 ? Double.NaN : distance / normBefore;
        }

        /** The shape as Keras prints it: {@code (2, 10)}, {@code (10,)}, {@code ()}. */
        public String shapeString() {
            if (shape.length == 1) return "(" + shape[0] + ",)";
            return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private double sumBefore;
    private double sumAfter;
    private double sumDistance;

    /**
     * Adds a weight, in model order.
     *
     * @param decay what regularizes or decays it, as the user should read it (e.g. {@code L2(l2=0.001)},
     *              {@code AdamW weight_decay=0.004}); null or blank for none
     * @throws IllegalArgumentException when the arrays do not have the shape's size
     */
    public WeightNormReport add(String layer, String weight, long[] shape, float[] before, float[] after, String decay) {
        long size = 1;
        for (long s : shape) size *= s;
        if (before.length != size || after.length != size)
            throw new IllegalArgumentException(layer + "/" + weight + ": shape " + Arrays.toString(shape) + " has " + size
                    + " values, got " + before.length + " before and " + after.length + " after");
        double b = 0, a = 0, d = 0;
        for (int i = 0; i < before.length; i++) {
            double x = before[i], y = after[i];
            b += x * x;
            a += y * y;
            d += (y - x) * (y - x);
        }
        sumBefore += b;
        sumAfter += a;
        sumDistance += d;
        entries.add(new Entry(layer, weight, shape.clone(), decay == null || decay.isBlank() ? null : decay.strip(),
                Math.sqrt(b), Math.sqrt(a), Math.sqrt(d)));
        return this;
    }

    /** The rows in the order added. */
    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** All weights taken as one vector. */
    public Entry total() {
        return new Entry("total", "", new long[0], null, Math.sqrt(sumBefore), Math.sqrt(sumAfter), Math.sqrt(sumDistance));
    }

    /** An aligned table, model order, with a total row. */
    public String text() {
        String[] head = {"Layer", "Weight", "Shape", "Decay", "||w|| before", "||w|| after", "change", "moved"};
        List<String[]> rows = new ArrayList<>();
        for (Entry e : entries) rows.add(row(e, e.shapeString(), e.decay() == null ? "none" : e.decay()));
        int[] w = new int[head.length];
        for (int i = 0; i < head.length; i++) w[i] = head[i].length();
        Entry t = total();
        String[] total = row(t, "", "");
        for (String[] r : rows) widen(w, r);
        widen(w, total);
        StringBuilder sb = new StringBuilder();
        line(sb, head, w);
        int all = Arrays.stream(w).sum() + 2 * (w.length - 1);
        sb.append("  ").append("-".repeat(all)).append('\n');
        for (String[] r : rows) line(sb, r, w);
        line(sb, total, w);
        sb.append("change = (||after|| - ||before||) / ||before|| (negative: the weights shrank); "
                + "moved = ||after - before|| / ||before||\n");
        return sb.toString();
    }

    /** One row per weight plus a {@code total} row; numbers in Python's repr form, empty when undefined. */
    public void writeCsv(Path target, boolean force) {
        StringBuilder sb = new StringBuilder("layer,weight,shape,decay,norm_before,norm_after,relative_change,relative_update\r\n");
        List<Entry> all = new ArrayList<>(entries);
        all.add(total());
        for (Entry e : all) {
            sb.append(PyFormat.csvField(e.layer())).append(',').append(PyFormat.csvField(e.weight())).append(',')
                    .append(e == all.get(all.size() - 1) ? "" : PyFormat.csvField(e.shapeString())).append(',')
                    .append(e.decay() == null ? "" : PyFormat.csvField(e.decay())).append(',')
                    .append(csvNumber(e.normBefore())).append(',').append(csvNumber(e.normAfter())).append(',')
                    .append(csvNumber(e.relativeChange())).append(',').append(csvNumber(e.relativeUpdate())).append("\r\n");
        }
        AtomicFiles.writeBytes(target, force, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code {"weights": [{"layer", "weight", "shape", "decay", "norm_before", "norm_after", "relative_change",
     * "relative_update"}, ...], "total": {...}}}; undefined ratios (a weight that started at zero) are null.
     */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ArrayNode ws = root.putArray("weights");
        for (Entry e : entries) {
            ObjectNode o = ws.addObject();
            o.put("layer", e.layer());
            o.put("weight", e.weight());
            ArrayNode shape = o.putArray("shape");
            for (long s : e.shape()) shape.add(s);
            o.put("decay", e.decay());
            numbers(o, e);
        }
        numbers(root.putObject("total"), total());
        return root;
    }

    private static void numbers(ObjectNode o, Entry e) {
        putNumber(o, "norm_before", e.normBefore());
        putNumber(o, "norm_after", e.normAfter());
        putNumber(o, "relative_change", e.relativeChange());
        putNumber(o, "relative_update", e.relativeUpdate());
    }

    private static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) o.put(field, v);
        else o.putNull(field);
    }

    private static String csvNumber(double v) {
        return Double.isFinite(v) ? PyFormat.repr(v) : "";
    }

    private static String[] row(Entry e, String shape, String decay) {
        return new String[]{e.layer(), e.weight(), shape, decay, norm(e.normBefore()), norm(e.normAfter()),
                percent(e.relativeChange(), true), percent(e.relativeUpdate(), false)};
    }

    /** {@code 4.5000}, {@code 1.2346e-04}, {@code 0}: four decimals, as Keras prints metrics. */
    private static String norm(double v) {
        return v == 0 ? "0" : PyFormat.metric(v);
    }

    private static String percent(double v, boolean signed) {
        return Double.isFinite(v) ? fmt(signed ? "%+.2f%%" : "%.2f%%", 100 * v) : "n/a";
    }

    private static String fmt(String pattern, double v) {
        return String.format(Locale.ROOT, pattern, v);
    }

    private static void widen(int[] w, String[] r) {
        for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
    }

    /** Text columns left-aligned, numeric columns (the last four) right-aligned, two spaces apart. */
    private static void line(StringBuilder sb, String[] r, int[] w) {
        StringBuilder l = new StringBuilder("  ");
        for (int i = 0; i < r.length; i++) {
            if (i > 0) l.append("  ");
            String pad = " ".repeat(w[i] - r[i].length());
            l.append(i >= 4 ? pad + r[i] : r[i] + pad);
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }
}
