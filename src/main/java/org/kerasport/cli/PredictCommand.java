package org.kerasport.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.Dl4jModel;
import org.kerasport.format.ReadOptions;
import org.kerasport.util.AtomicFiles;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.kerasport.UsageException;
import org.kerasport.BadDataException;

/** {@code kerasport predict}: run a Keras model (or a converted DL4J zip) on NumPy inputs. */
final class PredictCommand implements Command {
    @Override
    public String name() {
        return "predict";
    }

    @Override
    public String summary() {
        return "run a model on .npy/.npz inputs and write its outputs as .npz";
    }

    @Override
    public String arguments() {
        return "MODEL --input X.npy|X.npz|X.csv -o Y.npz";
    }

    @Override
    public String details() {
        return """
                MODEL is any Keras model file (as for inspect) or a DL4J zip written by 'kerasport convert'.
                A single-input model takes a .npy or a one-array .npz; a multi-input model takes an .npz keyed by
                input layer names. The output .npz is keyed by output layer names (float32). Inference mode:
                dropout off, BatchNormalization on its moving statistics. A string input (read by StringLookup,
                Hashing or TextVectorization) takes a numpy unicode array (np.asarray(texts, dtype=str)) or, when
                every input is a string, a UTF-8 CSV file with a header: one column per input, named as it.

                Example:
                  kerasport predict models/seed_mlp.keras --input x.npy -o y.npz
                """;
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("input").hasArg().argName("FILE").desc(".npy or .npz input, or .csv for string inputs (required)").build());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("Y.npz").desc("where to write the outputs (required)").build());
        o.addOption(Option.builder().longOpt("batch-size").hasArg().argName("N").desc("rows per forward pass (default 256)").build());
        ModelArgs.addSourceOptions(o);
        o.addOption(Option.builder().longOpt("lenient").desc("drop what cannot be mapped, with a warning each").build());
        o.addOption(Option.builder().longOpt("force").desc("replace the output file if it exists").build());
        return o;
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) {
        Path modelArg = ModelArgs.model(cl, "predict");
        if (!cl.hasOption("input")) throw new UsageException("--input is required");
        if (!cl.hasOption("output")) throw new UsageException("-o/--output is required");
        Path modelPath = modelArg, inputPath = Path.of(cl.getOptionValue("input")), outPath = Path.of(cl.getOptionValue("output"));
        int batch = OptionValues.positiveInt(cl, "batch-size", 256);
        AtomicFiles.checkTarget(outPath, cl.hasOption("force"), modelPath, inputPath);
        Path companion = ModelArgs.companion(cl);
        Dl4jModel model = Dl4jModel.load(modelPath, new ReadOptions(companion, true, cl.hasOption("lenient")));
        INDArray[] inputs = readInputs(inputPath, model);
        long rows = inputs[0].size(0);
        List<List<INDArray>> parts = new ArrayList<>();
        for (int k = 0; k < model.outputs().size(); k++) parts.add(new ArrayList<>());
        for (long start = 0; start < rows; start += batch) {
            long end = Math.min(rows, start + batch);
            INDArray[] slice = new INDArray[inputs.length];
            for (int i = 0; i < inputs.length; i++) slice[i] = rowsOf(inputs[i], start, end);
            INDArray[] y = model.graph().output(false, slice);
            for (int k = 0; k < y.length; k++) parts.get(k).add(y[k].dup());
        }
        Map<String, NdArray> result = new LinkedHashMap<>();
        for (int k = 0; k < model.outputs().size(); k++) {
            INDArray all = Nd4j.concat(0, parts.get(k).toArray(new INDArray[0]));
            result.put(model.outputs().get(k), new NdArray(all.shape(), org.kerasport.dl4j.NdArrays.floats(all), "float32"));
        }
        AtomicFiles.write(outPath, cl.hasOption("force"), tmp -> {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                Npy.writeNpz(os, result);
            }
        });
        err.println("predict: " + rows + " rows -> " + outPath + " (" + String.join(", ", result.keySet().stream()
                .map(k -> k + " " + Arrays.toString(result.get(k).shape())).toList()) + ")");
        return 0;
    }

    private static INDArray rowsOf(INDArray a, long start, long end) {
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        Arrays.fill(idx, NDArrayIndex.all());
        idx[0] = NDArrayIndex.interval(start, end);
        return a.get(idx);
    }

    /**
     * Reads and checks the inputs against the model's input names and shapes; a string input (numpy unicode array)
     * is turned into the numbers its string layers compute before the DL4J graph runs.
     */
    static INDArray[] readInputs(Path file, Dl4jModel model) {
        Map<String, org.kerasport.dl4j.StringFeed> feeds = model.stringFeeds();
        if (feeds.isEmpty()) return readInputs(file, model.inputs(), model.inputShapes());
        List<String> names = new ArrayList<>(), stringNames = new ArrayList<>();
        List<Long[]> shapes = new ArrayList<>();
        for (int i = 0; i < model.inputs().size(); i++) {
            org.kerasport.dl4j.StringFeed f = feeds.get(model.inputs().get(i));
            if (f == null) {
                names.add(model.inputs().get(i));
                shapes.add(model.inputShapes().get(i));
            } else if (!stringNames.contains(f.input())) stringNames.add(f.input());
        }
        if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
            if (!names.isEmpty())
                throw new BadDataException(file + ": CSV input is read for models whose inputs are all strings (one column"
                        + " per string input); give the numeric inputs " + names + " with the strings in an .npz");
            return applyFeeds(file, model, feeds, csvStrings(file, stringNames, feeds), new INDArray[0]);
        }
        boolean npz = file.getFileName().toString().endsWith(".npz");
        List<String> keys = npz ? Npy.npzKeys(file) : List.of();
        boolean single = names.size() + stringNames.size() == 1;
        Map<String, org.kerasport.data.StringArray> strings = new LinkedHashMap<>();
        for (String s : stringNames) {
            String key = !npz ? null : keys.contains(s) ? s : single && keys.size() == 1 ? keys.get(0) : null;
            if (npz && key == null)
                throw new BadDataException(file + ": no array for the string input '" + s + "'; the model's inputs are "
                        + concat(names, stringNames) + ", the file has " + keys + " (a multi-input model takes an .npz keyed by input names)");
            if (!npz && !single)
                throw new BadDataException(file + ": the model has " + (names.size() + stringNames.size()) + " inputs "
                        + concat(names, stringNames) + "; give them as an .npz keyed by input names");
            strings.put(s, Npy.readStrings(file, key));
        }
        INDArray[] numeric = names.isEmpty() ? new INDArray[0] : readNumeric(file, names, shapes, strings.keySet());
        return applyFeeds(file, model, feeds, strings, numeric);
    }

    /** The string inputs from a CSV file's columns (named as the inputs; a lone column serves a lone input). */
    private static Map<String, org.kerasport.data.StringArray> csvStrings(Path file, List<String> stringNames,
                                                                         Map<String, org.kerasport.dl4j.StringFeed> feeds) {
        Map<String, List<String>> cols = org.kerasport.data.TextCsv.read(file);
        Map<String, org.kerasport.data.StringArray> strings = new LinkedHashMap<>();
        for (String s : stringNames) {
            List<String> col = cols.get(s);
            if (col == null && stringNames.size() == 1 && cols.size() == 1) col = cols.values().iterator().next();
            if (col == null)
                throw new BadDataException(file + ": no column '" + s + "'; the model's string inputs are " + stringNames
                        + ", the file's columns " + cols.keySet());
            Long[] want = feeds.values().stream().filter(f -> f.input().equals(s)).findFirst().orElseThrow().inputShape();
            long[] shape;
            if (want != null && want.length == 1) shape = new long[]{col.size()};
            else if (want != null && want.length == 2 && want[1] != null && want[1] == 1) shape = new long[]{col.size(), 1};
            else
                throw new BadDataException(file + ": string input '" + s + "' has shape " + Arrays.toString(want).replace("null", "None")
                        + "; a CSV column gives one string per row (shape (None,) or (None, 1)): use an .npy/.npz");
            strings.put(s, new org.kerasport.data.StringArray(shape, col.toArray(new String[0])));
        }
        return strings;
    }

    private static INDArray[] applyFeeds(Path file, Dl4jModel model, Map<String, org.kerasport.dl4j.StringFeed> feeds,
                                         Map<String, org.kerasport.data.StringArray> strings, INDArray[] numeric) {
        INDArray[] out = new INDArray[model.inputs().size()];
        long rows = -1;
        for (int i = 0, n = 0; i < out.length; i++) {
            org.kerasport.dl4j.StringFeed f = feeds.get(model.inputs().get(i));
            if (f == null) {
                out[i] = numeric[n++];
            } else {
                org.kerasport.data.StringArray a = strings.get(f.input());
                checkShape(file, f.input(), f.inputShape(), a.shape());
                long[] outShape = f.layer().outputShape(a.shape());
                out[i] = Nd4j.create(f.apply(a.data(), a.shape()), outShape, 'c');
            }
            if (rows < 0) rows = out[i].size(0);
            else if (out[i].size(0) != rows)
                throw new BadDataException(file + ": inputs have different numbers of rows (" + rows + " and " + out[i].size(0) + ")");
        }
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> o = new ArrayList<>(a);
        o.addAll(b);
        return o;
    }

    private static INDArray[] readNumeric(Path file, List<String> names, List<Long[]> shapes, java.util.Set<String> skip) {
        Map<String, NdArray> given = new LinkedHashMap<>(Npy.readNpz(file, k -> !skip.contains(k)));
        INDArray[] out = new INDArray[names.size()];
        for (int i = 0; i < names.size(); i++) {
            NdArray a = given.get(names.get(i));
            if (a == null)
                throw new BadDataException(file + ": no array for input '" + names.get(i) + "'; the file has " + given.keySet());
            checkShape(file, names.get(i), shapes.get(i), a);
            out[i] = org.kerasport.dl4j.NdArrays.of(a.data(), a.shape());
        }
        return out;
    }

    /** Reads and checks the inputs against input names and shapes (batch axis first, null = any size). */
    static INDArray[] readInputs(Path file, List<String> names, List<Long[]> shapes) {
        Map<String, NdArray> given = new LinkedHashMap<>();
        String name = file.getFileName().toString();
        if (name.endsWith(".npz")) given.putAll(Npy.readNpz(file));
        else given.put("", Npy.read(file));
        INDArray[] out = new INDArray[names.size()];
        for (int i = 0; i < names.size(); i++) {
            NdArray a = given.get(names.get(i));
            if (a == null && names.size() == 1 && given.size() == 1) a = given.values().iterator().next();
            if (a == null)
                throw new BadDataException(file + ": no array for input '" + names.get(i) + "'; the model's inputs are "
                        + names + (given.isEmpty() ? "" : ", the file has " + given.keySet()) + " (a multi-input model takes an .npz keyed by input names)");
            checkShape(file, names.get(i), shapes.get(i), a);
            out[i] = org.kerasport.dl4j.NdArrays.of(a.data(), a.shape());
        }
        for (int i = 1; i < out.length; i++)
            if (out[i].size(0) != out[0].size(0))
                throw new BadDataException(file + ": inputs have different numbers of rows ("
                        + names.get(0) + " " + out[0].size(0) + ", " + names.get(i) + " " + out[i].size(0) + ")");
        return out;
    }

    private static void checkShape(Path file, String input, Long[] expected, NdArray a) {
        checkShape(file, input, expected, a.shape());
    }

    private static void checkShape(Path file, String input, Long[] expected, long[] shape) {
        if (expected == null) return;
        boolean ok = shape.length == expected.length;
        for (int d = 1; ok && d < expected.length; d++) ok = expected[d] == null || expected[d] == shape[d];
        if (!ok)
            throw new BadDataException(file + ": input '" + input + "' has shape " + Arrays.toString(shape)
                    + ", the model expects " + Arrays.toString(expected).replace("null", "None") + " (None: any size)");
    }
}
