package org.kerasport.train.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.kerasport.Limit;
import org.kerasport.UserInputException;
import org.kerasport.data.NdArray;
import org.kerasport.UsageException;
import org.kerasport.FileAccessException;
import org.kerasport.BadDataException;

/**
 * Reads a numeric CSV file with a header row into a feature array (every non-label column, in file order) and a
 * target array (the label columns, in the order given). Fields may be double-quoted; empty lines are skipped.
 */
final class Csv {
    /** Decimal or scientific numbers as written by numpy, pandas or a spreadsheet; no NaN, no infinities. */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private Csv() {
    }

    /** {features (rows, n), labels (rows, labelColumns.size())}. */
    static NdArray[] read(Path file, List<String> labelColumns) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = in.readLine();
            int lineNo = 1;
            while (line != null && line.isBlank()) {
                line = in.readLine();
                lineNo++;
            }
            if (line == null) throw bad(file, "empty file: a header row naming the columns is required");
            if (line.startsWith("\uFEFF")) line = line.substring(1);
            List<String> header = split(line, file, lineNo).stream().map(String::trim).toList();
            int[] labelAt = new int[labelColumns.size()];
            Set<String> seen = new HashSet<>();
            for (String h : header) {
                if (!seen.add(h)) throw bad(file, "line " + lineNo + ": column '" + h + "' appears twice in the header");
            }
            for (int i = 0; i < labelAt.length; i++) {
                labelAt[i] = header.indexOf(labelColumns.get(i));
                if (labelAt[i] < 0) throw bad(file, "no label column '" + labelColumns.get(i) + "' (the header has: " + String.join(", ", header) + ")");
            }
            if (labelAt.length == 0) throw new UsageException(file + ": CSV data needs the label column names");
            if (Arrays.stream(labelAt).distinct().count() != labelAt.length) throw bad(file, "a label column is named twice");
            int features = header.size() - labelAt.length;
            if (features == 0) throw bad(file, "every column is a label column: no feature columns left");
            boolean[] isLabel = new boolean[header.size()];
            for (int c : labelAt) isLabel[c] = true;

            FloatList x = new FloatList(), y = new FloatList();
            long rows = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                List<String> fields = split(line, file, lineNo);
                if (fields.size() != header.size())
                    throw bad(file, "line " + lineNo + ": " + fields.size() + " fields, the header has " + header.size());
                float[] values = new float[fields.size()];
                for (int c = 0; c < fields.size(); c++) {
                    String v = fields.get(c).trim();
                    String where = "line " + lineNo + ", column '" + header.get(c) + "'";
                    if (v.isEmpty()) throw bad(file, where + ": missing value");
                    if (!NUMBER.matcher(v).matches()) throw bad(file, where + ": '" + v + "' is not a number");
                    values[c] = (float) Double.parseDouble(v);
                }
                long bytes = (rows + 1) * values.length * 4L; // rows x features as float32, before they are kept
                if (Limit.DATA_BYTES.exceededBy(bytes))
                    throw bad(file, "line " + lineNo + ": " + Limit.DATA_BYTES.refusal((rows + 1) + " rows of " + values.length + " columns", bytes));
                for (int c = 0; c < values.length; c++) if (!isLabel[c]) x.add(values[c]);
                for (int c : labelAt) y.add(values[c]);
                rows++;
            }
            if (rows == 0) throw bad(file, "no data rows below the header");
            return new NdArray[] {new NdArray(new long[] {rows, features}, x.toArray(), "csv"),
                    new NdArray(new long[] {rows, labelAt.length}, y.toArray(), "csv")};
        } catch (NoSuchFileException e) {
            throw new FileAccessException(file + ": no such file");
        } catch (IOException e) {
            throw new FileAccessException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Splits one line at commas outside double quotes; {@code ""} inside quotes is a quote. */
    private static List<String> split(String line, Path file, int lineNo) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (quoted) throw bad(file, "line " + lineNo + ": unterminated quoted field");
        out.add(cur.toString());
        return out;
    }

    private static UserInputException bad(Path file, String message) {
        return new BadDataException(file + ": " + message);
    }

    /** A growable float array. */
    private static final class FloatList {
        private float[] a = new float[1024];
        private int n;

        void add(float v) {
            if (n == a.length) {
                if (n >= Integer.MAX_VALUE - 8) throw new BadDataException("CSV data too large");
                a = Arrays.copyOf(a, (int) Math.min(Integer.MAX_VALUE - 8L, 2L * n));
            }
            a[n++] = v;
        }

        float[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
