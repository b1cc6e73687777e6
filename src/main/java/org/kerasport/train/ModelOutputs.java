package org.kerasport.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.kerasport.dl4j.Dl4jModel;
import org.kerasport.format.ShapeInference;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LossSpec;
import org.kerasport.model.TensorRef;
import org.kerasport.train.data.ModelSignature;
import org.kerasport.util.AtomicFiles;
import org.kerasport.UsageException;

/**
 * The files a fine-tuning run writes beside its model: {@code <stem>-history.json}, {@code -history.csv},
 * {@code -history.png} and {@code -weight-norms.csv}. All are checked before training starts (nothing is
 * overwritten without --force, and a run does not fail after an hour on a name clash) and written atomically.
 */
public record ModelOutputs(Path model, Path historyJson, Path historyCsv, Path plot, Path norms) {

    public static ModelOutputs next(Path model) {
        String name = model.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        Path dir = model.toAbsolutePath().getParent();
        return new ModelOutputs(model, dir.resolve(stem + "-history.json"), dir.resolve(stem + "-history.csv"),
                dir.resolve(stem + "-history.png"), dir.resolve(stem + "-weight-norms.csv"));
    }

    /** Refuses existing outputs (without force), outputs that are inputs, and model formats not written yet. */
    public void check(boolean force, Path... inputs) {
        String n = model.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (!n.endsWith(".zip") && org.kerasport.format.KerasWriter.Form.byName(model) == null)
            throw new UsageException(model + ": the output format is chosen by extension: .keras, .h5 or "
                    + ".weights.h5 (Keras 3), or .zip (DL4J with Kerasport metadata, exportable with 'kerasport export')");
        for (Path p : List.of(model, historyJson, historyCsv, plot, norms)) AtomicFiles.checkTarget(p, force, inputs);
    }

    public void write(FineTuner.Result r, boolean force) {
        write(r, force, null, "dev");
    }

    /**
     * Writes the model (a Keras file by its extension, else the DL4J zip) and the history files.
     *
     * @param fineTuning what was fine-tuned and how, recorded in the model file's provenance
     * @return notes on the Keras export (config upgrades, semantic differences); empty for a zip
     */
    public List<String> write(FineTuner.Result r, boolean force, String fineTuning, String kerasportVersion) {
        List<String> notes = List.of();
        var form = org.kerasport.format.KerasWriter.Form.byName(model);
        if (form != null && !model.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".zip")) {
            // a .keras file carries the optimizer state, as Keras' model.save does, so training continues in Keras
            var km = org.kerasport.export.Exporter.withTrainedWeights(r.model());
            boolean withState = form == org.kerasport.format.KerasWriter.Form.KERAS && !km.optimizerVariables().isEmpty();
            notes = org.kerasport.export.Exporter.write(km, model, form, new org.kerasport.format.KerasWriter.Provenance(kerasportVersion,
                    fineTuning, withState), force, () -> hardSigmoidReference(r));
        } else {
            Dl4jModel dm = Dl4jModel.of(r.model());
            if (fineTuning != null) dm.meta().put("fine_tuning", fineTuning);
            dm.save(model, force);
        }
        r.history().writeJson(historyJson, force);
        r.history().writeCsv(historyCsv, force);
        r.norms().writeCsv(norms, force);
        return notes;
    }

    /** Where to measure a Keras 1/2 hard_sigmoid's change: (up to 256 of) the rows it was fine-tuned on, else null. */
    private static org.kerasport.export.Exporter.Reference hardSigmoidReference(FineTuner.Result r) {
        var data = r.trainingData();
        if (data == null) return null;
        var sample = data.slice(0, Math.min(256, data.rows()));
        var x = new INDArray[sample.inputs().size()];
        for (int i = 0; i < x.length; i++)
            x[i] = FineTuner.array(sample.inputs().get(i));
        return new org.kerasport.export.Exporter.Reference(x, "the first " + sample.rows() + " rows of the training data");
    }

    /**
     * Refuses to train a model with a string input: its string layers (StringLookup, Hashing, TextVectorization) run
     * before the DL4J graph at prediction, but the training data readers read numbers only.
     */
    public static void refuseStringInputs(KerasModel m, String command) {
        for (TensorRef r : m.graph().inputs()) {
            var l = m.graph().layer(r.layer()).orElse(null);
            if (l != null && "string".equals(org.kerasport.format.Json.text(l.config(), "dtype")))
                throw new org.kerasport.UnsupportedFeatureException(java.nio.file.Path.of(m.source().path()), List.of(
                        new org.kerasport.UnsupportedItem(l.name(), l.className(), "dtype", command + " of a model with a string"
                                + " input is not supported yet ('predict' runs it); train the model from the layer after"
                                + " the string layers (its ids) in Keras, or fine-tune a copy without them")));
        }
    }

    /** What the data must look like for this model. */
    public static ModelSignature signature(KerasModel m) {
        Map<String, Long[]> shapes = ShapeInference.infer(m.graph());
        List<String> ins = new ArrayList<>(), outs = new ArrayList<>();
        List<Long[]> inShapes = new ArrayList<>(), outShapes = new ArrayList<>();
        for (TensorRef r : m.graph().inputs()) {
            ins.add(r.layer());
            inShapes.add(shapes.get(r.layer()));
        }
        Map<String, String> loss = new LinkedHashMap<>();
        for (TensorRef r : m.graph().outputs()) {
            outs.add(r.layer());
            outShapes.add(shapes.get(r.layer()));
            LossSpec l = m.training() == null ? null : m.training().losses().get(r.layer());
            if (l != null) loss.put(r.layer(), l.name());
        }
        return new ModelSignature(ins, inShapes, outs, outShapes, loss);
    }
}
