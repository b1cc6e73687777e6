package org.kerasport.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.kerasport.UnsupportedFeatureException;
import org.kerasport.UnsupportedItem;
import org.kerasport.format.hdf5.Hdf5File;
import org.kerasport.format.hdf5.Hdf5Group;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.WeightSpec;
import org.kerasport.util.AtomicFiles;
import org.kerasport.UsageException;

/**
 * Writes a {@link KerasModel} with its current weights as Keras files that Keras 3.15 loads and keeps training:
 * a {@code .keras} zip (KERAS_FORMATS.md §3), a legacy {@code .h5} full model (§1.9) or a Keras 3 {@code .weights.h5}
 * (as {@code model.save_weights}). The config is {@link KerasConfigUpgrader}'s; the weight paths come from the same
 * {@link WeightLayout} table the reader uses. Every file carries provenance: {@code kerasport_version},
 * {@code source_sha256} and what was fine-tuned and how.
 */
public final class KerasWriter {
    /** The Keras version whose formats the writer produces. */
    public static final String KERAS_VERSION = "3.15.1";
    public static final String BACKEND = "tensorflow";

    public enum Form {
        KERAS, H5, WEIGHTS;

        /** The form named by {@code --format}, else by the file name ({@code .keras}, {@code .weights.h5}, {@code .h5}). */
        public static Form of(Path target, String explicit) {
            if (explicit != null) {
                return switch (explicit.toLowerCase(Locale.ROOT)) {
                    case "keras" -> KERAS;
                    case "h5" -> H5;
                    case "weights" -> WEIGHTS;
                    default -> throw new UsageException("--format " + explicit + ": expected keras, h5 or weights");
                };
            }
            Form f = byName(target);
            if (f == null)
                throw new UsageException(target + ": cannot tell the Keras format from the name; use .keras, "
                        + ".h5 or .weights.h5, or give --format keras|h5|weights");
            return f;
        }

        public static Form byName(Path target) {
            String n = target.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".keras")) return KERAS;
            if (n.endsWith(".weights.h5")) return WEIGHTS;
            if (n.endsWith(".h5") || n.endsWith(".hdf5")) return H5;
            return null;
        }
    }

    /**
     * Where the export came from and what happened to it.
     *
     * @param kerasportVersion the writing Kerasport version
     * @param fineTuning       a short "what was fine-tuned and how", or null / "" for a plain conversion
     * @param withOptimizerState whether the optimizer state was asked for (not supported yet: refused)
     */
    public record Provenance(String kerasportVersion, String fineTuning, boolean withOptimizerState) {
    }

    private final KerasModel model;
    private final Provenance provenance;
    private final KerasConfigUpgrader upgrader;
    private final List<String> notes = new ArrayList<>();

    public KerasWriter(KerasModel model, Provenance provenance) {
        this.model = model;
        this.provenance = provenance;
        this.upgrader = new KerasConfigUpgrader(model);
        if (provenance.withOptimizerState() && model.optimizerVariables().isEmpty())
            throw new UnsupportedFeatureException(Path.of(model.source().path()), List.of(new UnsupportedItem("", "optimizer",
                    "--with-optimizer-state", "the model has no optimizer state to export (it has not taken a training step); "
                    + "export without it: Keras then starts the optimizer fresh, with the same optimizer and hyperparameters")));
    }

    /** Notes on what the export changed or could not keep (config upgrades, semantic differences). */
    public List<String> notes() {
        List<String> out = new ArrayList<>(upgrader.notes());
        out.addAll(notes);
        out.addAll(extraNotes);
        return List.copyOf(new java.util.LinkedHashSet<>(out));
    }

    /** True when a Keras 1/2 model uses hard_sigmoid, which Keras 3 computes differently. */
    public boolean usesOldHardSigmoid() {
        if (model.source().kerasMajor() >= 3) return false;
        List<String> hard = new ArrayList<>();
        collectHardSigmoid(model.graph(), hard);
        return !hard.isEmpty();
    }

    /** Adds a note recorded in the file's provenance. */
    public void addNote(String note) {
        extraNotes.add(note);
    }

    private final List<String> extraNotes = new ArrayList<>();

    /** Writes {@code target} in {@code form}, atomically (temp file + rename; no overwrite without force). */
    public void write(Path target, Form form, boolean force) {
        List<Var> vars = variables(); // fail before touching the file system
        if (provenance.withOptimizerState() && form != Form.KERAS)
            throw new UnsupportedFeatureException(Path.of(model.source().path()), List.of(new UnsupportedItem("", "optimizer",
                    "--with-optimizer-state", "Keras 3 restores an optimizer's state only from a .keras file (it cannot continue "
                    + "training from its own .h5); export to .keras, or without the state")));
        notes.clear();
        semanticNotes();
        AtomicFiles.write(target, force, tmp -> {
            switch (form) {
                case KERAS -> writeKeras(tmp, vars);
                case H5 -> writeH5(tmp, vars);
                case WEIGHTS -> writeWeights(tmp, vars, true, false);
            }
        });
    }

    /** The model config as written to {@code config.json} (with build and compile config). */
    public ObjectNode kerasConfigJson() {
        ObjectNode cfg = upgrader.modelConfig();
        ObjectNode compile = upgrader.compileConfig();
        if (compile != null) cfg.set("compile_config", compile);
        return cfg;
    }

    // ------------------------------------------------------------------ variables

    /** One variable with its place in each layout. */
    private record Var(String v3Path, String layer, String legacyName, WeightSpec w) {
    }

    private List<Var> variables() {
        WeightLayout layout = new WeightLayout((l, f) -> null);
        List<Var> out = new ArrayList<>();
        List<UnsupportedItem> problems = new ArrayList<>();
        KerasGraph g = model.graph();
        Map<String, Integer> seen = new HashMap<>();
        for (LayerSpec l : g.layers()) {
            if (l.isInput() && (g.isSequential() || l.synthesized())) continue;
            String group = WeightLayout.v3GroupName(l, seen);
            List<WeightLayout.Expected> expected = layout.expected(l);
            if (expected == null) {
                if (!l.weights().isEmpty())
                    problems.add(new UnsupportedItem(l.name(), l.className(), "weights",
                            "Kerasport does not know where Keras 3 keeps this layer's variables; it cannot be exported"));
                continue;
            }
            Map<String, WeightSpec> byName = new HashMap<>();
            for (WeightSpec w : l.weights()) byName.put(w.name(), w);
            for (WeightLayout.Expected e : expected) {
                WeightSpec w = byName.get(e.name());
                if (w == null || w.data() == null) {
                    problems.add(new UnsupportedItem(l.name(), l.className(), e.name(), "no values for this variable (a model read without weights?)"));
                    continue;
                }
                out.add(new Var("layers/" + group + "/" + e.v3Path(), l.name(), l.name() + "/" + w.name().replace('.', '/'), w));
            }
        }
        if (!problems.isEmpty()) throw new UnsupportedFeatureException(Path.of(model.source().path()), problems);
        return out;
    }

    private void semanticNotes() {
        if (model.source().kerasMajor() >= 3) return;
        List<String> hard = new ArrayList<>();
        collectHardSigmoid(model.graph(), hard);
        if (!hard.isEmpty())
            notes.add("hard_sigmoid in " + String.join(", ", hard) + ": Keras " + model.source().kerasMajor()
                    + " computed clip(0.2x + 0.5, 0, 1), Keras 3 computes relu6(x + 3)/6 = clip(x/6 + 0.5, 0, 1); the exported "
                    + "model computes differently in Keras 3 than the original did");
    }

    private static void collectHardSigmoid(KerasGraph g, List<String> out) {
        for (LayerSpec l : g.layers()) {
            for (String k : List.of("activation", "recurrent_activation"))
                if ("hard_sigmoid".equals(Json.text(l.config(), k))) out.add(l.name() + "." + k);
            if (l.inner() != null) collectHardSigmoid(l.inner(), out);
        }
    }

    // ------------------------------------------------------------------ containers

    private void writeKeras(Path tmp, List<Var> vars) throws IOException {
        byte[] config = Json.MAPPER.writeValueAsBytes(kerasConfigJson());
        byte[] meta = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(metadata());
        Path h5 = Files.createTempFile(tmp.toAbsolutePath().getParent(), ".kerasport-", ".weights.h5");
        try {
            writeWeights(h5, vars, false, provenance.withOptimizerState());
            byte[] weights = Files.readAllBytes(h5);
            try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(os)) {
                stored(zip, "metadata.json", meta);
                stored(zip, "config.json", config);
                stored(zip, "model.weights.h5", weights);
            }
        } finally {
            Files.deleteIfExists(h5);
        }
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    private ObjectNode metadata() {
        ObjectNode m = Json.object();
        m.put("keras_version", KERAS_VERSION);
        m.put("date_saved", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss")));
        provenance(m);
        return m;
    }

    private void provenance(ObjectNode m) {
        m.put("kerasport_version", provenance.kerasportVersion());
        m.put("source_sha256", model.source().sha256());
        m.put("source_format", model.source().format());
        m.put("source_keras_version", model.source().kerasVersion());
        m.put("fine_tuning", fineTuning());
        ArrayNode n = m.putArray("export_notes");
        notes().forEach(n::add);
    }

    private String fineTuning() {
        String f = provenance.fineTuning();
        return f == null || f.isBlank() ? "none (weights as read)" : f;
    }

    /**
     * The optimizer's variables as Keras 3 saves them in a {@code .keras} file: {@code optimizer/vars/0} the iteration
     * count (int64, as the TensorFlow backend stores it), then the learning rate (unless scheduled) and the slots.
     */
    private void writeOptimizerState(Hdf5Group root) {
        {
            Hdf5Group vars = root.createGroup("optimizer/vars");
            String name = model.training() == null || model.training().optimizer() == null ? "optimizer"
                    : LayerCatalog.snakeCase(model.training().optimizer().className());
            vars.writeStringAttribute("name", name);
            List<WeightSpec> ov = model.optimizerVariables();
            for (int i = 0; i < ov.size(); i++) {
                WeightSpec v = ov.get(i);
                if (i == 0) vars.writeLongScalarDataset("0", (long) v.data()[0], false);
                else vars.writeFloatDataset(Integer.toString(i), v.shape(), v.data());
            }
        }
    }

    /** Keras 3 weights layout: {@code vars} groups named by class in list order (model.save_weights). */
    private void writeWeights(Path file, List<Var> vars, boolean withProvenance, boolean withOptimizerState) {
        try (Hdf5File h5 = Hdf5File.create(file)) {
            Hdf5Group root = h5.root();
            if (withProvenance) {
                ObjectNode p = Json.object();
                provenance(p);
                rootProvenance(root, p);
            }
            root.createGroup("vars").writeStringAttribute("name", model.graph().name());
            KerasGraph g = model.graph();
            Map<String, Integer> seen = new HashMap<>();
            for (LayerSpec l : g.layers()) {
                if (l.isInput() && (g.isSequential() || l.synthesized())) continue;
                root.createGroup("layers/" + WeightLayout.v3GroupName(l, seen) + "/vars").writeStringAttribute("name", l.name());
            }
            for (Var v : vars) root.writeFloatDataset(v.v3Path(), v.w().shape(), v.w().data());
            if (withOptimizerState) writeOptimizerState(root);
        }
    }

    private static void rootProvenance(Hdf5Group root, ObjectNode p) {
        root.writeStringAttribute("kerasport_version", p.path("kerasport_version").asText());
        root.writeStringAttribute("source_sha256", String.valueOf(p.path("source_sha256").asText()));
        root.writeStringAttribute("kerasport_fine_tuning", p.path("fine_tuning").asText());
        root.writeStringAttribute("kerasport_export_notes", p.path("export_notes").toString());
    }

    /** Legacy HDF5 full model (KERAS_FORMATS.md §1.9), in Keras 3's dialect so that Keras 3 loads it. */
    private void writeH5(Path file, List<Var> vars) throws IOException {
        ObjectNode env = upgrader.modelConfig();
        ObjectNode modelConfig = Json.object();
        modelConfig.set("class_name", env.get("class_name"));
        modelConfig.set("config", env.get("config"));
        ObjectNode training = upgrader.trainingConfig();
        try (Hdf5File h5 = Hdf5File.create(file)) {
            Hdf5Group root = h5.root();
            root.writeStringAttribute("keras_version", KERAS_VERSION);
            root.writeStringAttribute("backend", BACKEND);
            root.writeStringAttribute("model_config", Json.MAPPER.writeValueAsString(modelConfig));
            if (training != null) root.writeStringAttribute("training_config", Json.MAPPER.writeValueAsString(training));
            ObjectNode p = Json.object();
            provenance(p);
            rootProvenance(root, p);
            Hdf5Group mw = root.createGroup("model_weights");
            mw.writeStringAttribute("keras_version", KERAS_VERSION);
            mw.writeStringAttribute("backend", BACKEND);
            KerasGraph g = model.graph();
            List<String> layerNames = new ArrayList<>();
            for (LayerSpec l : g.layers()) {
                if (l.isInput() && (g.isSequential() || l.synthesized())) continue;
                layerNames.add(l.name());
                List<Var> own = new ArrayList<>();
                for (Var v : vars) if (v.layer().equals(l.name())) own.add(v);
                if (LayerCatalog.MODELS.contains(l.className())) { // nested model: all trainable first (§1.1)
                    List<Var> ordered = new ArrayList<>();
                    for (Var v : own) if (v.w().trainable()) ordered.add(v);
                    for (Var v : own) if (!v.w().trainable()) ordered.add(v);
                    own = ordered;
                }
                Hdf5Group lg = mw.createGroup(l.name());
                List<String> names = new ArrayList<>();
                for (Var v : own) {
                    names.add(v.legacyName());
                    lg.writeFloatDataset(v.legacyName(), v.w().shape(), v.w().data());
                }
                if (names.isEmpty()) lg.writeEmptyFloat64Attribute("weight_names");
                else lg.writeStringListAttributeChunked("weight_names", names);
            }
            mw.writeStringListAttributeChunked("layer_names", layerNames);
            mw.createGroup("top_level_model_weights").writeEmptyFloat64Attribute("weight_names");
        }
    }

    /** The config.json text, for tests and tools. */
    public String configJsonText() {
        try {
            return Json.MAPPER.writeValueAsString(kerasConfigJson());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
