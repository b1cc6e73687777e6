package org.kerasport.dl4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

import org.kerasport.Limit;
import org.kerasport.MalformedModelException;

import org.kerasport.format.Json;
import org.kerasport.format.KerasReader;
import org.kerasport.format.ReadOptions;
import org.kerasport.format.ShapeInference;
import org.kerasport.model.KerasModel;

import org.kerasport.util.AtomicFiles;

/**
 * A runnable model: a DL4J graph with the Keras names of its inputs and outputs. Made by importing any Keras file, or
 * restored from a Kerasport DL4J zip ({@link #save}: DL4J's ModelSerializer format with the updater state, plus a
 * {@code kerasport.json} entry with the Keras input/output names and shapes, the source facts and the original Keras
 * config, so the zip can later be exported back to Keras).
 */
public final class Dl4jModel {
    public static final String META_ENTRY = "kerasport.json";

    private final ComputationGraph graph;
    private final List<String> inputs;
    private final List<Long[]> inputShapes;
    private final List<String> outputs;
    private final ObjectNode meta;

    private Dl4jModel(ComputationGraph graph, List<String> inputs, List<Long[]> inputShapes, List<String> outputs, ObjectNode meta) {
        this.graph = graph;
        this.inputs = inputs;
        this.inputShapes = inputShapes;
        this.outputs = outputs;
        this.meta = meta;
    }

    public ComputationGraph graph() {
        return graph;
    }

    /** Keras input layer names, in the graph's input order. */
    public List<String> inputs() {
        return inputs;
    }

    /** Keras input shapes (batch axis first, null = free). */
    public List<Long[]> inputShapes() {
        return inputShapes;
    }

    /** Keras output layer names, in the graph's output order. */
    public List<String> outputs() {
        return outputs;
    }

    public ObjectNode meta() {
        return meta;
    }

    /**
     * The imported model, ready to {@link #save}: its metadata records the Keras 3 config and weight shapes the export
     * needs, and a model Kerasport cannot describe fails here, at convert time, never later at export.
     */
    public static Dl4jModel of(ImportedModel im) {
        org.kerasport.dl4j.runtime.Backend.init(); // the native build before ND4J loads, whatever the caller did first
        return of(im, true);
    }

    private static Dl4jModel of(ImportedModel im, boolean forExport) {
        KerasModel k = im.keras();
        Map<String, Long[]> shapes = ShapeInference.infer(k.graph());
        List<Long[]> inShapes = new ArrayList<>();
        for (String in : im.inputs()) inShapes.add(shapes.get(in));
        ObjectNode meta = Json.object();
        meta.put("kerasport_format", 1);
        ObjectNode src = meta.putObject("source");
        src.put("path", k.source().path());
        src.put("format", k.source().format());
        src.put("keras_version", k.source().kerasVersion());
        src.put("backend", k.source().backend());
        src.put("sha256", k.source().sha256());
        ArrayNode ins = meta.putArray("inputs");
        for (int i = 0; i < im.inputs().size(); i++) {
            ObjectNode j = ins.addObject();
            j.put("name", im.inputs().get(i));
            ArrayNode s = j.putArray("shape");
            Long[] sh = inShapes.get(i);
            if (sh != null) for (Long d : sh) if (d == null) s.addNull(); else s.add(d);
        }
        if (!im.stringFeeds().isEmpty()) {
            ArrayNode feeds = meta.putArray("string_inputs");
            for (var e : im.stringFeeds().entrySet()) {
                ObjectNode j = feeds.addObject();
                j.put("feeds", e.getKey());
                j.put("input", e.getValue().input());
                shapeInto(j.putArray("input_shape"), e.getValue().inputShape());
                shapeInto(j.putArray("shape"), e.getValue().outShape());
                j.set("layer", Json.MAPPER.valueToTree(e.getValue().layer()));
            }
        }
        ArrayNode outs = meta.putArray("outputs");
        for (var e : im.outputs().entrySet()) outs.addObject().put("name", e.getKey()).put("vertex", e.getValue());
        meta.set("keras_config", k.config());
        if (k.training() != null) meta.set("keras_training_config", k.training().raw());
        if (forExport) { // what 'kerasport export' needs: the current Keras 3 config (with fine-tuning edits) and weight shapes
            try {
                org.kerasport.format.ExportRecord.write(k, meta);
            } catch (org.kerasport.KerasportException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new IllegalStateException(k.source().path() + ": cannot record the Keras 3 config and weight shapes"
                        + " that 'kerasport export' needs from this zip: " + e.getMessage(), e);
            }
        }
        return new Dl4jModel(im.graph(), im.inputs(), inShapes, new ArrayList<>(im.outputs().keySet()), meta);
    }

    private static void shapeInto(ArrayNode a, Long[] shape) {
        if (shape != null) for (Long d : shape) if (d == null) a.addNull(); else a.add(d);
    }

    private static Long[] shapeOf(JsonNode s) {
        if (s == null || !s.isArray()) return null;
        Long[] sh = new Long[s.size()];
        for (int k = 0; k < sh.length; k++) sh[k] = s.get(k).isNull() ? null : s.get(k).asLong();
        return sh;
    }

    /**
     * The graph inputs computed from Keras string inputs before the graph runs (StringLookup, Hashing and
     * TextVectorization on a string input), by DL4J input name; empty for a model without string inputs.
     */
    public Map<String, StringFeed> stringFeeds() {
        Map<String, StringFeed> out = new java.util.LinkedHashMap<>();
        JsonNode feeds = meta.get("string_inputs");
        if (feeds == null || !feeds.isArray()) return out;
        for (JsonNode f : feeds) {
            org.kerasport.dl4j.layers.KerasPreprocessing layer;
            try {
                layer = Json.MAPPER.treeToValue(f.get("layer"), org.kerasport.dl4j.layers.KerasPreprocessing.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
                throw new MalformedModelException(Path.of(String.valueOf(meta.path("source").path("path").asText())), META_ENTRY,
                        "string input '" + f.path("input").asText() + "': unreadable layer: " + e.getMessage(), e);
            }
            out.put(f.get("feeds").asText(), new StringFeed(f.get("input").asText(), shapeOf(f.get("input_shape")), layer, shapeOf(f.get("shape"))));
        }
        return out;
    }

    /** Loads a Kerasport DL4J zip or imports a Keras file (for prediction). */
    public static Dl4jModel load(Path file, ReadOptions opts) {
        org.kerasport.dl4j.runtime.Backend.init(); // the native build before ND4J loads, whatever the caller did first
        if (isDl4jZip(file)) return restore(file);
        return of(Dl4jImporter.importModel(KerasReader.read(file, opts), opts.lenient()), false); // for prediction: never saved
    }

    public static boolean isDl4jZip(Path file) {
        try (ZipFile z = new ZipFile(file.toFile())) {
            return z.getEntry("configuration.json") != null && z.getEntry("coefficients.bin") != null;
        } catch (IOException | IllegalArgumentException e) { // IllegalArgumentException: an entry name not valid UTF-8
            return false;
        }
    }

    /** A DL4J zip written by Kerasport (convert, finetune): it carries Kerasport's metadata entry. */
    public static boolean isKerasportZip(Path file) {
        try (ZipFile z = new ZipFile(file.toFile())) {
            return z.getEntry(META_ENTRY) != null;
        } catch (IOException | IllegalArgumentException e) { // IllegalArgumentException: an entry name not valid UTF-8
            return false;
        }
    }

    private static Dl4jModel restore(Path file) {
        ObjectNode meta;
        try (ZipFile z = new ZipFile(file.toFile())) {
            if (Limit.ZIP_ENTRIES.exceededBy(z.size()))
                throw new MalformedModelException(file, null, Limit.ZIP_ENTRIES.refusal("the archive's " + z.size() + " entries", z.size()));
            ZipEntry e = z.getEntry(META_ENTRY);
            if (e == null)
                throw new MalformedModelException(file, META_ENTRY, "a DL4J zip without Kerasport's metadata: make it with 'kerasport convert'");
            JsonNode parsed = Json.parse(boundedText(file, z, e), file, META_ENTRY);
            if (!(parsed instanceof ObjectNode o))
                throw new MalformedModelException(file, META_ENTRY, "expected a JSON object");
            meta = o;
            ZipEntry conf = z.getEntry(ModelSerializer.CONFIGURATION_JSON);
            if (conf == null) throw new MalformedModelException(file, ModelSerializer.CONFIGURATION_JSON, "missing");
            long params = checkParameters(file, boundedText(file, z, conf));
            checkArrayHeader(file, z, ModelSerializer.COEFFICIENTS_BIN, params);
            checkArrayHeader(file, z, ModelSerializer.UPDATER_BIN, Long.MAX_VALUE);
            checkMeta(file, meta);
        } catch (IOException | IllegalArgumentException e) { // IllegalArgumentException: an entry name not valid UTF-8
            throw new MalformedModelException(file, null, "cannot read the zip: " + e.getMessage(), e);
        }
        ComputationGraph g;
        try {
            g = GraphPasses.prepare(ModelSerializer.restoreComputationGraph(file.toFile(), true));
        } catch (IOException | RuntimeException e) {
            throw new MalformedModelException(file, "configuration.json", "cannot restore the DL4J graph: " + e.getMessage(), e);
        }
        List<String> inputs = new ArrayList<>();
        List<Long[]> shapes = new ArrayList<>();
        for (JsonNode i : meta.get("inputs")) {
            inputs.add(i.get("name").asText());
            JsonNode s = i.get("shape");
            Long[] sh = new Long[s.size()];
            for (int k = 0; k < sh.length; k++) sh[k] = s.get(k).isNull() ? null : s.get(k).asLong();
            shapes.add(s.isEmpty() ? null : sh);
        }
        List<String> outputs = new ArrayList<>();
        for (JsonNode o : meta.get("outputs")) outputs.add(o.get("name").asText());
        return new Dl4jModel(g, inputs, shapes, outputs, meta);
    }

    /** A JSON member, read up to {@link Limit#JSON_BYTES} (more is refused while inflating, whatever the header says). */
    private static String boundedText(Path file, ZipFile z, ZipEntry e) throws IOException {
        long max = Limit.JSON_BYTES.value();
        try (InputStream in = z.getInputStream(e)) {
            byte[] b = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
            if (b.length > max)
                throw new MalformedModelException(file, e.getName(), Limit.JSON_BYTES.refusal("this JSON member", b.length));
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    /**
     * The parameters the DL4J configuration declares, before DL4J allocates them (one flat float32 view): against
     * {@link Limit#PARAMETERS} and {@link Limit#TENSOR_BYTES}.
     */
    private static long checkParameters(Path file, String configuration) {
        long n = 0;
        try {
            ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(configuration);
            for (var v : conf.getVertices().values()) {
                long k = v.numParams(true);
                if (k < 0) throw new MalformedModelException(file, "configuration.json", "a vertex declares " + k + " parameters");
                n = k > Long.MAX_VALUE - n ? Long.MAX_VALUE : n + k;
            }
        } catch (MalformedModelException e) {
            throw e;
        } catch (RuntimeException e) { // DL4J's JSON mapping: any corrupt configuration
            throw new MalformedModelException(file, "configuration.json", "cannot read the DL4J configuration: " + e.getMessage(), e);
        }
        if (Limit.PARAMETERS.exceededBy(n))
            throw new MalformedModelException(file, "configuration.json", Limit.PARAMETERS.refusal("the DL4J graph's parameters", n));
        long bytes = n > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : n * 4;
        if (Limit.TENSOR_BYTES.exceededBy(bytes))
            throw new MalformedModelException(file, "configuration.json", Limit.TENSOR_BYTES.refusal("the DL4J graph's flat parameter view", bytes));
        return n;
    }

    /**
     * The header of an array ND4J will read ({@link NdArrays#write}'s form: the shape buffer, then the data buffer,
     * each as allocation mode, length, type name, values), checked before ND4J allocates what it claims: at most
     * {@code maxElements} values and {@link Limit#TENSOR_BYTES}.
     */
    private static void checkArrayHeader(Path file, ZipFile z, String entry, long maxElements) throws IOException {
        ZipEntry e = z.getEntry(entry);
        if (e == null) return;
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(z.getInputStream(e)))) {
            in.readUTF();
            long shapeLength = in.readLong();
            int shapeWidth = width(file, entry, in.readUTF());
            if (shapeLength < 0 || shapeLength > 2 * 32 + 4)
                throw new MalformedModelException(file, entry, "a shape buffer of " + shapeLength + " values: corrupt");
            in.skipNBytes(shapeLength * shapeWidth);
            in.readUTF();
            long length = in.readLong();
            int width = width(file, entry, in.readUTF());
            if (length < 0 || length > maxElements)
                throw new MalformedModelException(file, entry, length + " values where the configuration declares " + maxElements + ": corrupt");
            long bytes = length > Long.MAX_VALUE / width ? Long.MAX_VALUE : length * width;
            if (Limit.TENSOR_BYTES.exceededBy(bytes))
                throw new MalformedModelException(file, entry, Limit.TENSOR_BYTES.refusal("this array of " + length + " values", bytes));
        } catch (java.io.EOFException | java.io.UTFDataFormatException ex) {
            throw new MalformedModelException(file, entry, "truncated or corrupt array header", ex);
        }
    }

    private static int width(Path file, String entry, String type) {
        return switch (type) {
            case "DOUBLE", "LONG", "UINT64" -> 8;
            case "FLOAT", "INT", "UINT32" -> 4;
            case "HALF", "BFLOAT16", "SHORT", "UINT16" -> 2;
            case "BYTE", "UBYTE", "BOOL" -> 1;
            default -> throw new MalformedModelException(file, entry, "array type '" + type + "' is not a numeric ND4J type");
        };
    }

    /** Kerasport's metadata: inputs and outputs, each with a name (inputs also a shape list). */
    private static void checkMeta(Path file, ObjectNode meta) {
        for (String key : List.of("inputs", "outputs")) {
            JsonNode list = meta.get(key);
            if (list == null || !list.isArray())
                throw new MalformedModelException(file, META_ENTRY, "'" + key + "' missing or not a list");
            for (JsonNode i : list) {
                if (!i.isObject() || i.get("name") == null || !i.get("name").isTextual())
                    throw new MalformedModelException(file, META_ENTRY, "an entry of '" + key + "' without a name");
                JsonNode sh = i.get("shape");
                if (key.equals("inputs") && (sh == null || !sh.isArray()))
                    throw new MalformedModelException(file, META_ENTRY, "input '" + i.get("name").asText() + "' without a shape list");
                if (sh != null) for (JsonNode d : sh) if (!d.isNull() && !d.isIntegralNumber())
                    throw new MalformedModelException(file, META_ENTRY, "input '" + i.get("name").asText() + "': shape " + sh + " is not whole numbers");
            }
        }
    }

    /** Writes the DL4J zip (with updater state) and Kerasport's metadata, atomically. */
    public void save(Path target, boolean force) {
        AtomicFiles.write(target, force, tmp -> {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                 ZipOutputStream out = new ZipOutputStream(os)) {
                writeSerialized(graph, out);
                out.setLevel(Deflater.DEFAULT_COMPRESSION);
                out.putNextEntry(new ZipEntry(META_ENTRY));
                out.write(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
                out.closeEntry();
            }
        });
    }

    private static final int BINARY_LEVEL = Deflater.NO_COMPRESSION;

    /**
     * The entries of {@code ModelSerializer.writeModel(graph, stream, true)}, written into {@code out}: the configuration,
     * the parameters and the updater state, in DL4J's own array format ({@link NdArrays#write}), so ModelSerializer
     * restores them (Dl4jZipTest: byte for byte ModelSerializer's entries). Written directly instead of through
     * ModelSerializer's zip and a second, recompressing copy into this one, and with the float entries stored
     * uncompressed: deflate shrinks float values by about 7 % and took most of the time of saving (MLP 784-512-512-10
     * fine-tuned with Adam, 8 MB: 1 epoch and save 2.99 s before, 2.20 s with deflate, 2.04 s stored; bench/RESULTS.md).
     */
    private static void writeSerialized(ComputationGraph graph, ZipOutputStream out) throws IOException {
        out.setLevel(Deflater.DEFAULT_COMPRESSION);
        out.putNextEntry(new ZipEntry(ModelSerializer.CONFIGURATION_JSON));
        out.write(graph.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
        out.setLevel(BINARY_LEVEL);
        DataOutputStream dos = new DataOutputStream(new BufferedOutputStream(out, 1 << 16)); // flushed, never closed: out goes on
        INDArray params = graph.params();
        if (params != null) {
            out.putNextEntry(new ZipEntry(ModelSerializer.COEFFICIENTS_BIN));
            NdArrays.write(params, dos);
            dos.flush();
            out.closeEntry();
        } else {
            out.putNextEntry(new ZipEntry(ModelSerializer.NO_PARAMS_MARKER));
            out.closeEntry();
        }
        INDArray state = graph.getUpdater(false) == null ? null : graph.getUpdater(false).getStateViewArray(); // none: a prediction import
        if (state != null && state.length() > 0) {
            out.putNextEntry(new ZipEntry(ModelSerializer.UPDATER_BIN));
            NdArrays.write(state, dos);
            dos.flush();
            out.closeEntry();
        }
    }

    /** The "what was fine-tuned and how" line a finetune run stored in the zip, or null. */
    public static String fineTuningOf(Path file) {
        try (ZipFile z = new ZipFile(file.toFile())) {
            ZipEntry e = z.getEntry(META_ENTRY);
            if (e == null) return null;
            try (InputStream in = z.getInputStream(e)) {
                JsonNode m = Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), file, META_ENTRY);
                return Json.text(m, "fine_tuning");
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** Output layer name -> output vertex, from the metadata. */
    public Map<String, String> outputVertices() {
        Map<String, String> m = new LinkedHashMap<>();
        for (JsonNode o : meta.get("outputs")) m.put(o.get("name").asText(), o.get("vertex").asText());
        return m;
    }


}
