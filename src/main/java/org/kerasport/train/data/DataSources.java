package org.kerasport.train.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.kerasport.Limit;
import org.kerasport.MalformedModelException;
import org.kerasport.UserInputException;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.format.hdf5.Hdf5Dataset;
import org.kerasport.format.hdf5.Hdf5File;
import org.kerasport.UsageException;
import org.kerasport.FileAccessException;
import org.kerasport.BadDataException;

/** Loads the training data of {@code kerasport finetune --data SPEC} and checks it against the model. */
public final class DataSources {
    private static final String SPARSE_CCE = "sparse_categorical_crossentropy";
    private static final Set<String> NUMERIC = Set.of("float16", "bfloat16", "float32", "float64", "int8", "int16",
            "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool");

    private DataSources() {
    }

    /** {@link #load(String, List, ModelSignature, boolean)} with the finite-values check on. */
    public static TrainingData load(String spec, List<String> labelColumns, ModelSignature sig) {
        return load(spec, labelColumns, sig, true);
    }

    /**
     * Reads training data and validates it against the model. Spec forms:
     * <ul>
     *   <li>{@code data.npz}: keys {@code x}/{@code y} (single-input, single-output model), or one key per model
     *       input and output, named as the layer or as {@code x__NAME} (inputs) / {@code y__NAME} (outputs); other
     *       keys are ignored;</li>
     *   <li>{@code x.npy,y.npy}: a pair of arrays (single input and output); either part may also be an HDF5
     *       dataset {@code file.h5:/group/x}, so {@code file.h5:/group/x,file.h5:/group/y} reads two datasets;</li>
     *   <li>{@code train.csv} with {@code labelColumns}: a header row is required; the label columns are the
     *       targets, every other column the features, in file order; numbers only, no missing values.</li>
     * </ul>
     * Every array must be numeric (converted to float32) and have the model's rank and non-batch dimensions; all
     * must have the same number of rows. A target may omit a trailing axis of size 1 ({@code (rows,)} for an output
     * {@code (None, 1)}), as Keras' losses accept; it is reshaped to {@code (rows, 1)}. Targets of
     * {@code sparse_categorical_crossentropy} are integral class ids of shape {@code (rows,)} or {@code (rows, 1)}
     * (normalized to {@code (rows, 1)}) within {@code [0, classes)}, classes being the output's last dimension.
     *
     * @param labelColumns  the CSV label columns (targets); must be empty or null for the other forms
     * @param requireFinite refuse NaN and infinite values
     * @throws UserInputException {@link BadDataException} with a message starting with the file when the data does
     *                            not fit; {@link FileAccessException} when a file is missing or unreadable;
     *                            {@link UsageException} when the spec has none of the forms above
     */
    public static TrainingData load(String spec, List<String> labelColumns, ModelSignature sig, boolean requireFinite) {
        List<String> labels = labelColumns == null ? List.of() : labelColumns;
        String[] parts = spec.split(",", -1);
        boolean csv = parts.length == 1 && lower(spec).endsWith(".csv");
        if (!labels.isEmpty() && !csv) throw usage(spec, "label columns apply to CSV data only");
        List<Source> inputs = new ArrayList<>(), targets = new ArrayList<>();
        if (parts.length == 2) {
            requireSingle(spec, sig, "a pair of arrays");
            inputs.add(array(parts[0].trim()));
            targets.add(array(parts[1].trim()));
        } else if (parts.length == 1 && lower(spec).endsWith(".npz")) {
            npz(Path.of(spec), sig, inputs, targets);
        } else if (csv) {
            requireSingle(spec, sig, "CSV data");
            NdArray[] xy = Csv.read(Path.of(spec), labels);
            inputs.add(new Source(spec, xy[0]));
            targets.add(new Source(spec, xy[1]));
        } else {
            throw usage(spec, "expected DATA.npz, X.npy,Y.npy, TRAIN.csv (with label columns) or FILE.h5:/X,FILE.h5:/Y");
        }
        return validate(spec, sig, inputs, targets, requireFinite);
    }

    /** An array and where it came from (the start of every message about it). */
    private record Source(String where, NdArray array) {
    }

    // ---- reading ----

    /** One array of a pair: a .npy file or an HDF5 dataset FILE:/PATH. */
    private static Source array(String part) {
        int colon = part.indexOf(":/");
        if (lower(part).endsWith(".npy")) return new Source(part, Npy.read(Path.of(part)));
        if (colon > 0) return new Source(part, hdf5(Path.of(part.substring(0, colon)), part.substring(colon + 1), part));
        throw usage(part, "each part of a pair must be a .npy file or an HDF5 dataset FILE.h5:/PATH");
    }

    private static NdArray hdf5(Path file, String dataset, String where) {
        if (!Files.exists(file)) throw new FileAccessException(file + ": no such file");
        String rel = dataset.replaceAll("^/+", "");
        try (Hdf5File f = Hdf5File.openRead(file)) {
            Hdf5Dataset d = f.root().dataset(rel);
            String dtype = d.dtype();
            if (!NUMERIC.contains(dtype)) throw bad(where, "dtype " + dtype + " is not numeric");
            long[] shape = d.shape();
            if (d.elementCount() > Integer.MAX_VALUE - 8) throw bad(where, "too large: " + ModelSignature.format(shape));
            long bytes = d.elementCount() * 4; // below 2^33: no overflow
            if (Limit.DATA_BYTES.exceededBy(bytes))
                throw bad(where, Limit.DATA_BYTES.refusal("an array of shape " + ModelSignature.format(shape) + " as float32", bytes));
            return new NdArray(shape, d.readFloats(), dtype);
        } catch (MalformedModelException e) {
            throw new BadDataException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw usage(where, "invalid HDF5 dataset path '" + dataset + "': " + e.getMessage());
        }
    }

    /** Picks the arrays of an .npz by model input and output names (or x/y for a single-input, single-output model). */
    private static void npz(Path file, ModelSignature sig, List<Source> inputs, List<Source> targets) {
        List<String> keys = Npy.npzKeys(file);
        boolean single = sig.inputNames().size() == 1 && sig.outputNames().size() == 1;
        Map<String, String> chosen = new LinkedHashMap<>(); // "x:" / "y:" + layer name -> key
        for (String name : sig.inputNames()) chosen.put("x:" + name, pick(file, keys, sig, name, "x", single));
        for (String name : sig.outputNames()) chosen.put("y:" + name, pick(file, keys, sig, name, "y", single));
        Map<String, NdArray> arrays = Npy.readNpz(file, chosen::containsValue); // other arrays may be anything
        for (String name : sig.inputNames()) inputs.add(new Source(file + "[" + name + "]", arrays.get(chosen.get("x:" + name))));
        for (String name : sig.outputNames()) targets.add(new Source(file + "[" + name + "]", arrays.get(chosen.get("y:" + name))));
    }

    /** The key holding model input ("x") or output ("y") {@code name}. */
    private static String pick(Path file, List<String> keys, ModelSignature sig, String name, String xy, boolean single) {
        List<String> candidates = single ? List.of(name, xy + "__" + name, xy) : List.of(name, xy + "__" + name);
        List<String> present = candidates.stream().distinct().filter(keys::contains).toList(); // input named x: one key
        String role = xy.equals("x") ? "input" : "output";
        if (present.size() > 1) throw bad(file.toString(), "model " + role + " '" + name + "' matches several arrays: " + String.join(", ", present));
        if (present.isEmpty()) {
            throw bad(file.toString(), "no array for model " + role + " '" + name + "': expected keys " + expectedKeys(sig)
                    + "; the file has " + (keys.isEmpty() ? "no arrays" : String.join(", ", keys)));
        }
        return present.get(0);
    }

    private static String expectedKeys(ModelSignature sig) {
        List<String> keys = new ArrayList<>();
        for (String n : sig.inputNames()) keys.add(n + " (or x__" + n + ")");
        for (String n : sig.outputNames()) keys.add(n + " (or y__" + n + ")");
        String s = String.join(", ", keys);
        return sig.inputNames().size() == 1 && sig.outputNames().size() == 1 ? s + ", or x and y" : s;
    }

    // ---- validation ----

    private static TrainingData validate(String spec, ModelSignature sig, List<Source> inputs, List<Source> targets, boolean finite) {
        List<NdArray> x = new ArrayList<>(), y = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            x.add(check(inputs.get(i), "input", sig.inputNames().get(i), sig.inputShapes().get(i), false, finite));
        }
        for (int i = 0; i < targets.size(); i++) {
            String name = sig.outputNames().get(i);
            boolean sparse = SPARSE_CCE.equals(sig.lossByOutput().get(name));
            y.add(check(targets.get(i), "output", name, sig.outputShapes().get(i), sparse, finite));
        }
        Map<String, Long> rows = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) rows.put("input '" + sig.inputNames().get(i) + "'", x.get(i).shape()[0]);
        for (int i = 0; i < targets.size(); i++) rows.put("output '" + sig.outputNames().get(i) + "'", y.get(i).shape()[0]);
        if (rows.values().stream().distinct().count() > 1) {
            StringBuilder sb = new StringBuilder("the arrays have different row counts:");
            rows.forEach((k, v) -> sb.append(' ').append(k).append(' ').append(v).append(','));
            sb.setLength(sb.length() - 1);
            throw bad(spec, sb.toString());
        }
        if (rows.values().iterator().next() == 0) throw bad(spec, "no rows");
        return new TrainingData(x, y);
    }

    /** Checks one array against its Keras shape and returns it, a missing trailing axis of size 1 restored. */
    private static NdArray check(Source s, String role, String name, Long[] expected, boolean sparse, boolean finite) {
        NdArray a = s.array();
        String what = role + " '" + name + "'";
        if (a.shape().length == 0) throw bad(s.where(), what + ": a scalar; need one row per sample");
        if (!NUMERIC.contains(a.dtype()) && !a.dtype().equals("csv")) throw bad(s.where(), what + ": dtype " + a.dtype() + " is not numeric");
        Long[] want = expected;
        if (sparse && want != null && want.length > 0) {
            want = want.clone();
            want[want.length - 1] = 1L; // one class id per row instead of one probability per class
        }
        if (want != null && a.shape().length == want.length - 1 && Long.valueOf(1).equals(want[want.length - 1]) && !role.equals("input")) {
            long[] shape = java.util.Arrays.copyOf(a.shape(), want.length);
            shape[want.length - 1] = 1;
            a = new NdArray(shape, a.data(), a.dtype());
        }
        if (want != null && !fits(a.shape(), want)) {
            throw bad(s.where(), what + " expects shape " + ModelSignature.format(want)
                    + (sparse ? " (sparse class ids for " + ModelSignature.format(expected) + ")" : "")
                    + ", the data has shape " + ModelSignature.format(a.shape()));
        }
        float[] v = a.data();
        int width = (int) (a.shape()[0] == 0 ? 0 : a.data().length / a.shape()[0]);
        for (int i = 0; i < v.length; i++) {
            if (finite && !Float.isFinite(v[i])) throw bad(s.where(), what + ": non-finite value " + v[i] + " at row " + i / width);
            if (sparse) {
                Long classes = expected == null ? null : expected[expected.length - 1];
                if (v[i] != Math.rint(v[i]) || v[i] < 0 || (classes != null && v[i] >= classes)) {
                    throw bad(s.where(), what + ": row " + i / width + " has class id " + v[i] + "; sparse_categorical_crossentropy"
                            + " needs integral class ids in [0, " + (classes == null ? "classes" : classes) + ")");
                }
            }
        }
        return a;
    }

    private static boolean fits(long[] shape, Long[] want) {
        if (shape.length != want.length) return false;
        for (int d = 1; d < want.length; d++) if (want[d] != null && want[d] != shape[d]) return false;
        return true;
    }

    private static void requireSingle(String spec, ModelSignature sig, String form) {
        if (sig.inputNames().size() != 1 || sig.outputNames().size() != 1) {
            throw bad(spec, form + " fits a single-input, single-output model; this model has inputs "
                    + String.join(", ", sig.inputNames()) + " and outputs " + String.join(", ", sig.outputNames())
                    + ": give an .npz keyed by those names");
        }
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static UserInputException bad(String where, String message) {
        return new BadDataException(where + ": " + message);
    }

    private static UserInputException usage(String where, String message) {
        return new UsageException("--data " + where + ": " + message);
    }
}
