package org.kerasport.dl4j;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.kerasport.UserInputException;
import org.kerasport.dl4j.optim.KerasUpdater;
import org.kerasport.model.KerasModel;
import org.kerasport.model.WeightSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.kerasport.UnsupportedFeatureException;

/**
 * Continues from the optimizer state a Keras file stores, as {@code load_model} followed by {@code fit} does: the
 * iteration count (Adam's bias correction and learning-rate schedules go on from it) and every slot (momentum,
 * velocity, ...) of every trainable variable, copied into DL4J's updater state in DL4J's parameter layout.
 *
 * <p>Keras 3 stores {@code [iteration, learning_rate (unless scheduled), slots...]}, the slots made by
 * {@code add_optimizer_variables}: the names given in one call interleaved per variable ({@code m0, v0, m1, v1 ...}),
 * calls one after another (Adam's {@code velocity_hat} after all m/v pairs; RMSprop's velocity, momentum and
 * average_gradient lists one after another).
 */
public final class OptimizerStateLoader {
    private OptimizerStateLoader() {
    }

    /** The groups of slot names Keras creates in one {@code add_optimizer_variables} call, per optimizer. */
    static List<List<String>> groups(KerasUpdater u) {
        List<String> names = u.stateNames();
        String cls = u.getClass().getSimpleName();
        List<List<String>> g = new ArrayList<>();
        switch (cls) {
            case "KerasAdam", "KerasAdadelta", "KerasAdamax", "KerasNadam" -> {
                g.add(names.subList(0, 2));
                if (names.size() > 2) g.add(names.subList(2, names.size()));
            }
            default -> names.forEach(n -> g.add(List.of(n)));
        }
        return g;
    }

    /**
     * @throws UserInputException (UNSUPPORTED) when the stored state does not fit this optimizer and model (an older
     *                            optimizer layout, say); the message suggests --fresh-optimizer
     */
    public static void load(ImportedModel im, KerasUpdater updater, boolean scheduled) {
        KerasModel m = im.keras();
        List<WeightSpec> vars = m.optimizerVariables();
        List<KerasModel.RegularizedWeight> trainable = m.trainableVariables();
        List<List<String>> groups = groups(updater);
        int slots = updater.stateNames().size();
        int head = scheduled ? 1 : 2;
        int expected = head + slots * trainable.size();
        if (vars.size() != expected)
            throw new UnsupportedFeatureException(m.source().path() + ": the stored optimizer state has " + vars.size()
                    + " variables; " + updater.getClass().getSimpleName().replace("Keras", "") + " over " + trainable.size()
                    + " trainable variables needs " + expected + " (iteration" + (scheduled ? "" : ", learning_rate")
                    + ", " + String.join("/", updater.stateNames()) + " per variable). Use --fresh-optimizer to start from a new state.");
        Map<String, WeightBinding> bindingOf = new HashMap<>();
        for (WeightBinding b : im.bindings()) bindingOf.put(b.kerasLayer() + "/" + b.kerasWeight(), b);
        Map<String, Slot> where = locate(im.graph());
        int pos = head;
        for (List<String> group : groups)
            for (KerasModel.RegularizedWeight tv : trainable)
                for (String slotName : group) {
                    WeightSpec v = vars.get(pos++);
                    WeightBinding b = bindingOf.get(tv.layer() + "/" + tv.weight().name());
                    if (b == null) throw new IllegalStateException("no DL4J parameter for " + tv.layer() + "/" + tv.weight().name());
                    Slot s = where.get(b.vertex() + "_" + b.param());
                    if (s == null) throw new IllegalStateException("no updater state for " + b.vertex() + "_" + b.param());
                    if (v.size() != tv.weight().size())
                        throw new UnsupportedFeatureException(m.source().path() + ": optimizer variable " + v.name() + " has shape "
                                + v.shapeString() + ", but slot " + slotName + " of " + tv.layer() + "/" + tv.weight().name() + " needs "
                                + tv.weight().shapeString() + ". Use --fresh-optimizer to start from a new state.");
                    INDArray state = s.updater.getState().get(slotName);
                    INDArray seg = state.reshape(state.length()).get(NDArrayIndex.interval(s.start, s.end));
                    INDArray param = im.graph().getParam(b.vertex() + "_" + b.param());
                    seg.reshape(param.ordering(), param.shape()).assign(b.layout().toDl4j(v.data(), tv.weight().shape(), param.shape()));
                }
        long iterations = (long) vars.get(0).data()[0];
        im.graph().getConfiguration().setIterationCount((int) iterations);
    }

    /**
     * The inverse of {@link #load}: the DL4J updater state as Keras 3 optimizer variables, in Keras' order
     * ({@code iteration}, {@code learning_rate} unless scheduled, then the slots), each in its Keras shape; empty
     * when the optimizer has not taken a step.
     */
    public static List<WeightSpec> toKeras(ImportedModel im, KerasUpdater updater, boolean scheduled) {
        ComputationGraph g = im.graph();
        int iterations = g.getConfiguration().getIterationCount();
        if (iterations == 0) return List.of();
        List<WeightSpec> out = new ArrayList<>();
        out.add(new WeightSpec("iteration", "optimizer", new long[0], "int64", new float[]{iterations}, false, null, null));
        if (!scheduled)
            out.add(new WeightSpec("learning_rate", "optimizer", new long[0], "float32",
                    new float[]{(float) updater.getLearningRate(iterations, 0)}, false, null, null));
        Map<String, WeightBinding> bindingOf = new HashMap<>();
        for (WeightBinding b : im.bindings()) bindingOf.put(b.kerasLayer() + "/" + b.kerasWeight(), b);
        Map<String, Slot> where = locate(g);
        for (List<String> group : groups(updater))
            for (KerasModel.RegularizedWeight tv : im.keras().trainableVariables())
                for (String slotName : group) {
                    WeightBinding b = bindingOf.get(tv.layer() + "/" + tv.weight().name());
                    Slot s = where.get(b.vertex() + "_" + b.param());
                    INDArray state = s.updater.getState().get(slotName);
                    INDArray param = g.getParam(b.vertex() + "_" + b.param());
                    INDArray seg = state.reshape(state.length()).get(NDArrayIndex.interval(s.start, s.end)).reshape(param.ordering(), param.shape());
                    out.add(new WeightSpec(tv.layer() + "." + tv.weight().name() + "." + slotName, "optimizer", tv.weight().shape(),
                            "float32", b.layout().toKeras(seg, tv.weight().shape()), false, null, null));
                }
        return out;
    }

    private record Slot(GradientUpdater<?> updater, long start, long end) {
    }

    /** Where each DL4J parameter's state lives: its updater block's gradient updater and its offsets in the block. */
    private static Map<String, Slot> locate(ComputationGraph g) {
        Map<String, Slot> out = new HashMap<>();
        for (UpdaterBlock ub : blocks(g))
            for (UpdaterBlock.ParamState p : ub.getLayersAndVariablesInBlock())
                out.put(p.getLayer().getConfig().getLayerName() + "_" + p.getParamName(),
                        new Slot(ub.getGradientUpdater(), p.getParamOffsetStart() - ub.getParamOffsetStart(),
                                p.getParamOffsetEnd() - ub.getParamOffsetStart()));
        return out;
    }

    /** DL4J keeps the updater blocks in a protected field and offers no getter. */
    @SuppressWarnings("unchecked")
    static List<UpdaterBlock> blocks(ComputationGraph g) {
        try {
            Field f = BaseMultiLayerUpdater.class.getDeclaredField("updaterBlocks");
            f.setAccessible(true);
            return (List<UpdaterBlock>) f.get(g.getUpdater(true));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach DL4J's updater blocks", e);
        }
    }
}
