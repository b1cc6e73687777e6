package org.kerasport.dl4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.kerasport.UnsupportedItem;
import org.kerasport.model.LossSpec;
import org.kerasport.model.OptimizerSpec;
import org.kerasport.model.TrainingSpec;
import org.kerasport.model.WeightSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/** What a conversion mapped, for people: each Keras weight and its DL4J parameter, regularization in both conventions, optimizer, loss. */
public final class FidelityReport {
    private FidelityReport() {
    }

    public static String text(ImportedModel im) {
        StringBuilder sb = new StringBuilder();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"Keras weight", "Keras shape", "DL4J parameter", "DL4J shape", "Layout", "Keras regularizer", "DL4J regularization"});
        for (WeightBinding b : im.bindings()) {
            WeightSpec w = Dl4jImporter.weight(im.keras(), b);
            INDArray p = im.graph().getParam(b.vertex() + "_" + b.param());
            Layer conf = im.graph().getVertex(b.vertex()).getLayer().conf().getLayer();
            List<Regularization> regs = conf.getRegularizationByParam(b.param());
            rows.add(new String[]{b.kerasLayer() + "/" + b.kerasWeight(), w.shapeString(), b.vertex() + "_" + b.param(),
                    Arrays.toString(p.shape()), b.layout().toString(),
                    w.regularizer() == null ? "none" : w.regularizer().describe() + (w.trainable() ? "" : " (frozen: no penalty)"),
                    regs == null ? (w.trainable() ? "none" : "none (frozen)") : RegularizationMapper.describe(regs)});
        }
        sb.append("Weights (Keras L2(l2) adds l2*sum(w^2); DL4J L2Regularization(c) adds c/2*sum(w^2), so c = 2*l2)\n");
        table(sb, rows);
        TrainingSpec t = im.keras().training();
        OptimizerSpec o = t == null ? null : t.optimizer();
        sb.append("\nOptimizer  ").append(o == null ? "none in the model" : org.kerasport.model.OptimizerText.of(o))
                .append("\n        ->  DL4J updater ").append(updaterOf(im)).append('\n');
        if (o != null && o.weightDecay() != null && o.weightDecay() != 0)
            sb.append("           weight_decay ").append(o.weightDecay())
                    .append(" -> DecoupledWeightDecay on every trainable parameter, biases included (w -= lr*wd*w before the update)\n");
        if (t != null)
            for (var e : t.losses().entrySet()) {
                LossSpec l = e.getValue();
                sb.append("Loss       ").append(e.getKey()).append(": ").append(l == null ? "none" : l.name() + (l.fromLogits() ? " (from logits)" : ""))
                        .append(" -> vertex ").append(im.outputs().get(e.getKey())).append('\n');
            }
        for (String n : im.report()) sb.append("Note       ").append(n).append('\n');
        for (UnsupportedItem u : im.unsupported()) sb.append("Dropped    ").append(u).append('\n');
        return sb.toString();
    }

    private static Object updaterOf(ImportedModel im) {
        for (var v : im.graph().getVertices())
            if (v.hasLayer() && v.getLayer().numParams() > 0) {
                Layer l = v.getLayer().conf().getLayer();
                if (l instanceof org.deeplearning4j.nn.conf.layers.BaseLayer bl) return bl.getIUpdater();
            }
        return "no trainable parameters";
    }

    private static void table(StringBuilder sb, List<String[]> rows) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        for (int k = 0; k < rows.size(); k++) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < w.length; i++) line.append(String.format("%-" + w[i] + "s  ", rows.get(k)[i]));
            sb.append(line.toString().stripTrailing()).append('\n');
            if (k == 0) sb.append("  ").append("-".repeat(Arrays.stream(w).sum() + 2 * (w.length - 1))).append('\n');
        }
    }
}
