package org.kerasport.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kerasport.ExitCode;
import org.kerasport.UserInputException;
import org.kerasport.dl4j.Dl4jModel;
import org.kerasport.format.ShapeInference;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LossSpec;
import org.kerasport.model.TensorRef;
import org.kerasport.train.data.ModelSignature;
import org.kerasport.util.AtomicFiles;

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
        if (!n.endsWith(".zip"))
            throw new UserInputException(ExitCode.USAGE, model + ": the output format is chosen by extension; this version writes "
                    + ".zip (DL4J with Kerasport metadata, convertible back to Keras later)");
        for (Path p : List.of(model, historyJson, historyCsv, plot, norms)) AtomicFiles.checkTarget(p, force, inputs);
    }

    public void write(FineTuner.Result r, boolean force) {
        Dl4jModel.of(r.model()).save(model, force);
        r.history().writeJson(historyJson, force);
        r.history().writeCsv(historyCsv, force);
        r.norms().writeCsv(norms, force);
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
