package org.kerasport.export.dl4j;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.kerasport.dl4j.layers.KerasLSTM;

/**
 * The recurrent layers: LSTM (DL4J's and Kerasport's), SimpleRnn, either under LastTimeStep (Keras'
 * return_sequences=False) or Bidirectional (forward and backward weights from DL4J's f- and b-prefixed parameters).
 * Keras' recurrent layers read [batch, time, features]: a Permute before them for DL4J's NCW. LSTM weights go through
 * the importer's {@code Layout.gates(2, 1, 3, 0)} (Keras' gate order i, f, c, o against DL4J's c, f, o, i).
 */
final class RecurrentExporters {
    private RecurrentExporters() {
    }

    static void register(LayerExporters r) {
        r.exact(LSTM.class, (c, e) -> recurrent(c, false, e));
        r.withSubclasses(KerasLSTM.class, (c, e) -> recurrent(c, false, e));
        r.withSubclasses(SimpleRnn.class, (c, e) -> recurrent(c, false, e));
        r.withSubclasses(LastTimeStep.class, (c, e) -> {
            if (c.getUnderlying() instanceof Bidirectional) {
                e.problem("LastTimeStep", "underlying", "LastTimeStep(Bidirectional) takes the backward layer's output at the last"
                        + " time step, Keras' Bidirectional(return_sequences=False) its final state: no Keras counterpart");
                return null;
            }
            return cell(c.getUnderlying()) != null ? recurrent(c.getUnderlying(), true, e) : e.noCounterpart(c);
        });
        r.withSubclasses(Bidirectional.class, RecurrentExporters::bidirectional);
    }

    private static final int[] LSTM_GATES = {2, 1, 3, 0};

    private static final Weights.Source LSTM_WEIGHTS = w -> switch (Weights.role(w)) {
        case "kernel" -> Weights.gates("W", false, LSTM_GATES);
        case "recurrent_kernel" -> Weights.gates("RW", false, LSTM_GATES);
        case "bias" -> Weights.gates("b", true, LSTM_GATES);
        default -> null;
    };

    private static final Weights.Source SIMPLE_RNN_WEIGHTS = w -> switch (Weights.role(w)) {
        case "kernel" -> Weights.same("W");
        case "recurrent_kernel" -> Weights.same("RW");
        case "bias" -> Weights.vector("b");
        default -> null;
    };

    /** "LSTM" for DL4J's LSTM or Kerasport's, "SimpleRNN" for a SimpleRnn; null for anything else (GravesLSTM ...). */
    private static String cell(Layer c) {
        if (c instanceof LSTM l && (l.getClass() == LSTM.class || l instanceof KerasLSTM)) return "LSTM";
        return c instanceof SimpleRnn ? "SimpleRNN" : null;
    }

    /**
     * The cell's config (LSTM or SimpleRNN) in {@code entry}, named {@code name}; its problems are {@code layer}'s.
     * Returns the units.
     */
    private static long cellConfig(Layer c, ObjectNode entry, String name, Emit e, ObjectNode[] config) {
        BaseLayer b = (BaseLayer) c;
        ObjectNode lc;
        long units;
        if ("LSTM".equals(cell(c))) {
            LSTM ls = (LSTM) c;
            units = ls.getNOut();
            lc = KerasJson.config(entry, "LSTM", name);
            lc.put("units", units);
            String act = KerasJson.activation(ls.getActivationFn()), gate = KerasJson.activation(ls.getGateActivationFn());
            if (!"tanh".equals(act) || !"sigmoid".equals(gate))
                e.problem("LSTM", "activation", "an LSTM with " + ls.getActivationFn() + "/" + ls.getGateActivationFn()
                        + " (only tanh with sigmoid gates computes the same in Keras 3)");
            lc.put("activation", "tanh").put("recurrent_activation", "sigmoid").put("use_bias", true).put("unit_forget_bias", true);
        } else {
            SimpleRnn rn = (SimpleRnn) c;
            units = rn.getNOut();
            lc = KerasJson.config(entry, "SimpleRNN", name);
            lc.put("units", units);
            String act = KerasJson.activation(rn.getActivationFn());
            if (act == null || rn.hasLayerNorm()) e.problem("SimpleRnn", "activation", "a SimpleRnn with " + rn.getActivationFn()
                    + (rn.hasLayerNorm() ? " and layer norm" : "") + " has no Keras counterpart here");
            lc.put("activation", act == null ? "tanh" : act).put("use_bias", true);
        }
        lc.put("return_state", false).put("go_backwards", false).put("stateful", false).put("unroll", false);
        lc.set("kernel_regularizer", e.regularizer(b.getRegularizationByParam("W"), "regularization"));
        lc.set("recurrent_regularizer", e.regularizer(b.getRegularizationByParam("RW"), "regularization"));
        lc.set("bias_regularizer", e.regularizer(b.getRegularizationBias(), "regularizationBias"));
        config[0] = lc;
        return units;
    }

    /** An LSTM or SimpleRnn; {@code last}: under LastTimeStep (the last step's output only). */
    private static ObjectNode recurrent(Layer c, boolean last, Emit e) {
        if (!e.in().sequence() || cell(c) == null) return e.noCounterpart(c);
        e.permuteToNwc();
        ObjectNode[] lc = new ObjectNode[1];
        long units = cellConfig(c, e.entry(), e.name(), e, lc);
        lc[0].put("return_sequences", !last);
        e.out(last ? Flow.features(units) : Flow.sequence(units, false)); // the Keras tensor is NWC from here on
        e.weights("LSTM".equals(cell(c)) ? LSTM_WEIGHTS : SIMPLE_RNN_WEIGHTS);
        return lc[0];
    }

    private static ObjectNode bidirectional(Bidirectional bd, Emit e) {
        if (!e.in().sequence()) return e.noCounterpart(bd);
        Layer fwd = bd.getFwd();
        String cell = cell(fwd);
        if (cell == null) {
            e.problem("Bidirectional", "layer", "a Bidirectional " + fwd.getClass().getSimpleName() + " is not generated (LSTM and SimpleRnn are)");
            return null;
        }
        e.permuteToNwc();
        ObjectNode lc = e.config("Bidirectional");
        lc.put("merge_mode", switch (bd.getMode()) {
            case ADD -> "sum";
            case MUL -> "mul";
            case AVERAGE -> "ave";
            case CONCAT -> "concat";
        });
        ObjectNode wrapped = lc.putObject("layer").put("module", "keras.layers");
        ObjectNode[] ic = new ObjectNode[1];
        long units = cellConfig(fwd, wrapped, (cell.equals("LSTM") ? "lstm_" : "simple_rnn_") + e.name(), e, ic);
        ic[0].put("return_sequences", true);
        wrapped.putNull("registered_name");
        e.out(Flow.sequence(bd.getMode() == Bidirectional.Mode.CONCAT ? 2 * units : units, false));
        Weights.Source inner = cell.equals("LSTM") ? LSTM_WEIGHTS : SIMPLE_RNN_WEIGHTS;
        // forward_<name>.<cell weight> from DL4J's f-prefixed parameters, backward_ from the b-prefixed
        e.weights(w -> {
            Weights.Move m = inner.apply(w);
            return m == null ? null : Weights.prefixed(w.startsWith("backward_") ? "b" : "f", m);
        });
        return lc;
    }
}
