package org.kerasport.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.kerasport.MalformedModelException;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.dl4j.Dl4jModel;
import org.kerasport.dl4j.ImportedModel;
import org.kerasport.dl4j.WeightBinding;
import org.kerasport.format.ConfigReader;
import org.kerasport.format.Json;
import org.kerasport.format.KerasConfigUpgrader;
import org.kerasport.format.KerasWriter;
import org.kerasport.format.ShapeInference;
import org.kerasport.format.TrainingConfigParser;
import org.kerasport.format.WeightLayout;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.SourceInfo;
import org.kerasport.model.TensorRef;
import org.kerasport.model.TrainingSpec;
import org.kerasport.model.WeightSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Brings trained DL4J weights back into a {@link KerasModel} for {@link org.kerasport.format.KerasWriter}: from an
 * {@link ImportedModel} (fine-tuned in this process) or from a Kerasport DL4J zip (made by convert or finetune).
 */
public final class Exporter {
    private Exporter() {
    }

    /** The Keras model with every bound variable's current DL4J value, in Keras layout. */
    public static KerasModel withTrainedWeights(ImportedModel im) {
        Map<String, float[]> values = new HashMap<>();
        for (WeightBinding b : im.bindings()) {
            WeightSpec w = im.keras().graph().layer(b.kerasLayer()).flatMap(l -> l.weight(b.kerasWeight())).orElseThrow();
            values.put(b.kerasLayer() + "/" + b.kerasWeight(), b.layout().toKeras(im.graph().getParam(b.vertex() + "_" + b.param()), w.shape()));
        }
        KerasModel k = im.keras();
        List<LayerSpec> layers = new ArrayList<>();
        for (LayerSpec l : k.layers()) {
            List<WeightSpec> ws = new ArrayList<>();
            for (WeightSpec w : l.weights()) {
                float[] v = values.get(l.name() + "/" + w.name());
                ws.add(v == null ? w : w.withData(v));
            }
            layers.add(l.withWeights(ws));
        }
        KerasGraph g = k.graph();
        KerasModel withWeights = k.withGraph(new KerasGraph(g.className(), g.name(), layers, g.inputs(), g.outputs()));
        return new KerasModel(withWeights.graph(), withWeights.training(), withWeights.source(), withWeights.unsupported(),
                withWeights.config(), optimizerState(im));
    }

    /** The graph's optimizer state as Keras optimizer variables (empty before the first step, or for DL4J's own updaters). */
    static List<WeightSpec> optimizerState(ImportedModel im) {
        org.kerasport.dl4j.optim.KerasUpdater u = org.kerasport.dl4j.optim.KerasUpdater.of(im.graph());
        if (u == null) return List.of();
        var t = im.keras().training();
        boolean scheduled = t != null && t.optimizer() != null && t.optimizer().learningRateSchedule() != null;
        return org.kerasport.dl4j.OptimizerStateLoader.toKeras(im, u, scheduled);
    }

    /** A Kerasport DL4J zip as a Keras model with the zip's trained weights. */
    public static KerasModel fromDl4jZip(Path zip) {
        Dl4jModel dm = Dl4jModel.load(zip, org.kerasport.format.ReadOptions.defaults());
        ObjectNode meta = dm.meta();
        JsonNode config = meta.get("keras_export_config");
        JsonNode weights = meta.get("keras_weights");
        if (config == null || weights == null)
            throw new MalformedModelException(zip, Dl4jModel.META_ENTRY, "made by an older Kerasport that did not record the "
                    + "Keras weight shapes; convert the Keras model again (kerasport convert) and export that zip");
        JsonNode src = meta.path("source");
        ConfigReader cr = new ConfigReader(zip, KerasWriter.KERAS_VERSION);
        KerasGraph graph = cr.readModel(config);
        Map<String, JsonNode> shapes = new HashMap<>();
        for (JsonNode w : weights) shapes.put(w.get("layer").asText() + "/" + w.get("name").asText(), w);
        WeightLayout layout = cr.weightLayout();
        List<LayerSpec> layers = new ArrayList<>();
        for (LayerSpec l : graph.layers()) {
            List<WeightLayout.Expected> expected = layout.expected(l);
            List<WeightSpec> ws = new ArrayList<>();
            if (expected != null)
                for (WeightLayout.Expected e : expected) {
                    JsonNode j = shapes.get(l.name() + "/" + e.name());
                    if (j == null) throw new MalformedModelException(zip, Dl4jModel.META_ENTRY, "no shape recorded for " + l.name() + "/" + e.name());
                    long[] shape = new long[j.get("shape").size()];
                    long n = 1;
                    for (int i = 0; i < shape.length; i++) n *= shape[i] = j.get("shape").get(i).asLong();
                    ws.add(new WeightSpec(e.name(), e.role(), shape, Json.text(j, "dtype"), new float[(int) n], e.trainable(), e.regularizer(), null));
                }
            layers.add(l.withWeights(ws));
        }
        graph = new KerasGraph(graph.className(), graph.name(), layers, graph.inputs(), graph.outputs());
        JsonNode tc = meta.has("keras_export_compile_config") ? meta.get("keras_export_compile_config") : null;
        TrainingSpec training = tc == null ? null : new TrainingConfigParser(zip).parse(tc, graph.outputs(), "keras_export_compile_config");
        SourceInfo info = new SourceInfo(Json.text(src, "path") == null ? zip.toString() : Json.text(src, "path"),
                Json.text(src, "format"), KerasWriter.KERAS_VERSION, Json.text(src, "backend"), Json.text(src, "sha256"), null);
        KerasModel km = new KerasModel(graph, training, info, List.of(), config, List.of());
        ImportedModel im = Dl4jImporter.importForTraining(km, true);
        INDArray params = dm.graph().params();
        if (params.length() != im.graph().params().length())
            throw new MalformedModelException(zip, "coefficients.bin", "the zip holds " + params.length()
                    + " parameters, the rebuilt graph " + im.graph().params().length());
        im.graph().setParams(params.dup());
        INDArray state = dm.graph().getUpdater() == null ? null : dm.graph().getUpdater().getStateViewArray();
        if (state != null && im.graph().getUpdater().getStateViewArray() != null
                && state.length() == im.graph().getUpdater().getStateViewArray().length()) {
            im.graph().getUpdater().setStateViewArray(state.dup());
            im.graph().getConfiguration().setIterationCount(dm.graph().getConfiguration().getIterationCount());
        }
        KerasModel out = withTrainedWeights(im);
        // keep the original source facts (version, format) for provenance
        SourceInfo orig = new SourceInfo(info.path(), info.format(), Json.text(src, "keras_version"), info.backend(), info.sha256(), null);
        return new KerasModel(out.graph(), out.training(), new SourceInfo(orig.path(), orig.format(), KerasWriter.KERAS_VERSION, orig.backend(), orig.sha256(), null),
                out.unsupported(), config, out.optimizerVariables());
    }

    /**
     * How differently Keras 3 computes a Keras 1/2 model that uses {@code hard_sigmoid}: the max |difference| of the
     * outputs with Keras 2's and Keras 3's hard_sigmoid on {@code rows} random normal inputs (free axes = 8), or null
     * when the model cannot be run on DL4J.
     */
    public static Double hardSigmoidDifference(KerasModel k, int rows) {
        Map<String, Long[]> shapes = ShapeInference.infer(k.graph());
        Random rnd = new Random(42);
        List<TensorRef> ins = k.graph().inputs();
        INDArray[] x = new INDArray[ins.size()];
        for (int i = 0; i < x.length; i++) {
            Long[] sh = shapes.get(ins.get(i).layer());
            if (sh == null) return null;
            long[] dims = new long[sh.length];
            dims[0] = rows;
            for (int d = 1; d < sh.length; d++) dims[d] = sh[d] == null ? 8 : sh[d];
            long n = 1;
            for (long d : dims) n *= d;
            float[] v = new float[(int) n];
            for (int j = 0; j < v.length; j++) v[j] = (float) rnd.nextGaussian();
            x[i] = Nd4j.create(v, dims, 'c');
        }
        return hardSigmoidDifference(k, x);
    }

    /**
     * The same on given inputs (the model's own data, in the order of its inputs): the max |difference| between the
     * model's outputs with Keras 2's and with Keras 3's hard_sigmoid; null when the model cannot be run on DL4J.
     */
    public static Double hardSigmoidDifference(KerasModel k, INDArray[] x) {
        try {
            SourceInfo s = k.source();
            KerasModel k3 = new KerasModel(k.graph(), k.training(), new SourceInfo(s.path(), s.format(), KerasWriter.KERAS_VERSION, s.backend(),
                    s.sha256(), s.weightsPath()), k.unsupported(), k.config(), k.optimizerVariables());
            ImportedModel a = Dl4jImporter.importModel(k, false), b = Dl4jImporter.importModel(k3, false);
            INDArray[] ya = a.graph().output(false, x), yb = b.graph().output(false, x);
            double max = 0;
            for (int i = 0; i < ya.length; i++) max = Math.max(max, ya[i].sub(yb[i]).amaxNumber().doubleValue());
            return max;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The export note for a Keras 1/2 model using hard_sigmoid, which Keras 3 computes differently: the measured
     * difference ({@code on}: what it was measured on) and the faithful form where Keras 3 has one.
     */
    public static String hardSigmoidNote(Double difference, String on) {
        String measured = difference == null ? "hard_sigmoid: the difference could not be measured (the model does not run on DL4J)"
                : String.format(java.util.Locale.ROOT, "hard_sigmoid: measured on %s, the exported model's outputs in Keras 3 "
                + "differ from the original's by up to %.3g (max |diff|)", on, difference);
        return measured + ". Keras 1/2 computed clip(0.2·x + 0.5, 0, 1), Keras 3 computes relu6(x + 3)/6. Faithful"
                + " Keras 3 form of an Activation('hard_sigmoid') layer: Rescaling(scale=0.2, offset=0.5) then"
                + " ReLU(max_value=1.0); recurrent gates (LSTM/GRU recurrent_activation) have no Keras 3 equivalent";
    }

    /** Inputs of the model to measure a hard_sigmoid difference on, and how to name them in the note. */
    public record Reference(INDArray[] x, String name) {
    }

    /**
     * The one way a Keras file is written from Kerasport (the {@code export} command and {@code finetune -o X.keras}):
     * {@code km} in {@code form}, with the writer's notes, and for a Keras 1/2 model with hard_sigmoid the measured
     * difference of Keras 3's hard_sigmoid on the {@code reference} inputs, asked for only then (64 random normal rows
     * when it gives null).
     *
     * @return the notes for the user (config upgrades, semantic differences)
     */
    public static List<String> write(KerasModel km, Path target, KerasWriter.Form form, KerasWriter.Provenance provenance,
                                     boolean force, java.util.function.Supplier<Reference> reference) {
        KerasWriter w = new KerasWriter(km, provenance);
        if (w.usesOldHardSigmoid()) {
            Reference ref = reference.get();
            w.addNote(ref == null ? hardSigmoidNote(hardSigmoidDifference(km, 64), "64 random normal inputs")
                    : hardSigmoidNote(hardSigmoidDifference(km, ref.x()), ref.name()));
        }
        w.write(target, form, force);
        return w.notes();
    }
}
