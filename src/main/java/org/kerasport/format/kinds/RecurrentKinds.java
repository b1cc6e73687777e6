package org.kerasport.format.kinds;

import static org.kerasport.format.kinds.LayerKind.kind;

import java.util.List;
import org.kerasport.format.kinds.LayerKind.ConfigUpgrade;
import org.kerasport.format.kinds.LayerKind.Keras1Weights;
import org.kerasport.format.kinds.LayerKind.ShapeRule;
import org.kerasport.format.kinds.LayerKind.WeightRule;
import org.kerasport.model.LayerSpec;

/** Recurrent layers (keras.layers.rnn) and the wrappers Bidirectional and TimeDistributed. */
final class RecurrentKinds {
    private RecurrentKinds() {
    }

    /** (batch, units), or (batch, time, units) with {@code return_sequences}. */
    private static final ShapeRule RNN = (l, ins, x) -> {
        Long[] in = ins.get(0);
        long u = l.config().get("units").asLong();
        boolean seq = l.config().has("return_sequences") && l.config().get("return_sequences").asBoolean();
        return seq ? new Long[]{in[0], in[1], u} : new Long[]{in[0], u};
    };

    /** The cell's kernel, recurrent kernel and bias, named {@code <snake_class>_cell.*} and kept in the cell's group. */
    private static final WeightRule CELL = (l, v) -> {
        String cell = Cfg.snakeCase(l.className()) + "_cell.";
        v.add(cell + "kernel", "kernel", true, "cell/vars/0");
        v.add(cell + "recurrent_kernel", "recurrent_kernel", true, "cell/vars/1");
        if (Cfg.bias(l.config())) v.add(cell + "bias", "bias", true, "cell/vars/2");
        return true;
    };

    /** An RNN cell's own variables (LSTMCell, GRUCell, SimpleRNNCell), in its {@code vars} group. */
    private static final WeightRule CELL_VARS = (l, v) -> {
        v.add("kernel", "kernel", true, "vars/0");
        v.add("recurrent_kernel", "recurrent_kernel", true, "vars/1");
        if (Cfg.bias(l.config())) v.add("bias", "bias", true, "vars/2");
        return true;
    };

    /**
     * RNN of a cell: (batch, units) or (batch, time, units) with {@code return_sequences}, units those of the cell (of
     * the last one of StackedRNNCells); null when the cell's units are not known.
     */
    private static final ShapeRule CELL_RNN = (l, ins, x) -> {
        if (l.inner() == null || l.inner().layers().size() != 1) return null;
        LayerSpec cell = l.inner().layers().get(0);
        if (cell.inner() != null && !cell.inner().layers().isEmpty())
            cell = cell.inner().layers().get(cell.inner().layers().size() - 1);
        if (!cell.config().has("units")) return null;
        Long[] in = ins.get(0);
        long u = cell.config().get("units").asLong();
        boolean seq = l.config().has("return_sequences") && l.config().get("return_sequences").asBoolean();
        return seq ? new Long[]{in[0], in[1], u} : new Long[]{in[0], u};
    };

    /** CuDNN layers own their variables (no cell) and always have a bias. */
    private static final WeightRule CUDNN = (l, v) -> {
        v.add("kernel", "kernel", true, "vars/0");
        v.add("recurrent_kernel", "recurrent_kernel", true, "vars/1");
        v.add("bias", "bias", true, "vars/2");
        return true;
    };

    /**
     * Keras 1's gate order for {@code count} arrays of an LSTM (W, U, b per gate in i, c, f, o order: 12 arrays) or a
     * GRU (z, r, h: 9), as indices in Keras 2's order (LSTM i, f, c, o); null when the arrays are not Keras 1's per-gate
     * ones.
     */
    private static int[] keras1Gates(String cls, int count) {
        if (cls.equals("LSTM") && count == 12) return new int[]{0, 2, 1, 3};
        if (cls.equals("GRU") && count == 9) return new int[]{0, 1, 2};
        return null;
    }

    /** Keras 1 stored an LSTM's and a GRU's variables per gate; Keras 2 joins them into kernel, recurrent kernel, bias. */
    private static final Keras1Weights KERAS1_GATES = (l, a) -> {
        int[] order = keras1Gates(l.className(), a.size());
        if (order != null) a.joinGates(0, a.size(), order);
    };

    /** tf.keras' implementation (1 or 2) is not a Keras 3 argument. */
    private static final ConfigUpgrade DROP_IMPLEMENTATION = (l, c, notes) -> c.remove("implementation");

    static List<LayerKind> all() {
        return List.of(
                kind("LSTM").shape(RNN).weights(CELL).keras1Weights(KERAS1_GATES).upgrade(DROP_IMPLEMENTATION),
                kind("GRU").shape(RNN).weights(CELL).keras1Weights(KERAS1_GATES).upgrade(DROP_IMPLEMENTATION),
                kind("SimpleRNN").shape(RNN).weights(CELL).upgrade(DROP_IMPLEMENTATION),
                kind("CuDNNLSTM").shape(RNN).weights(CUDNN),
                kind("CuDNNGRU").shape(RNN).weights(CUDNN),
                kind("ConvLSTM1D").untabledWeights().upgrade(DROP_IMPLEMENTATION),
                kind("ConvLSTM2D").untabledWeights().upgrade(DROP_IMPLEMENTATION),
                kind("ConvLSTM3D").untabledWeights().upgrade(DROP_IMPLEMENTATION),
                kind("RNN").shape(CELL_RNN).weights((l, v) -> { // the reader gives every RNN its cell (ConfigReader)
                    LayerSpec cell = l.inner().layers().get(0);
                    return v.addInner(cell, cell.name() + ".", "cell/");
                }),
                kind("LSTMCell").weights(CELL_VARS),
                kind("GRUCell").weights(CELL_VARS),
                kind("SimpleRNNCell").weights(CELL_VARS),
                kind("StackedRNNCells").weights((l, v) -> { // each cell in cells/<snake_class>[_n] (saving_lib's list naming)
                    java.util.Map<String, Integer> seen = new java.util.HashMap<>();
                    for (LayerSpec cell : l.inner().layers()) {
                        String base = Cfg.snakeCase(cell.className());
                        int n = seen.merge(base, 1, Integer::sum) - 1;
                        if (!v.addInner(cell, cell.name() + ".", "cells/" + (n == 0 ? base : base + "_" + n) + "/")) return false;
                    }
                    return true;
                }),
                kind("Bidirectional").shape((l, ins, x) -> {
                    LayerSpec f = l.inner().layers().get(0);
                    Long[] o = x.layer(f, ins);
                    String mode = Cfg.text(l.config(), "merge_mode");
                    if ("concat".equals(mode)) o = Shapes.with(o, o.length - 1, o[o.length - 1] * 2);
                    else if (mode == null) return null;
                    return o;
                }).weights((l, v) -> {
                    for (int k = 0; k < 2; k++) {
                        LayerSpec dir = l.inner().layers().get(k);
                        if (!v.addInner(dir, dir.name() + ".", k == 0 ? "forward_layer/" : "backward_layer/")) return false;
                    }
                    return true;
                }).keras1Weights((l, a) -> { // forward arrays, then backward ones, each as its layer's Keras 1 arrays
                    String inner = l.inner().layers().get(0).className();
                    int n = a.size() / 2;
                    int[] back = keras1Gates(inner, a.size() - n), forward = keras1Gates(inner, n);
                    if (back != null) a.joinGates(n, a.size(), back);
                    if (forward != null) a.joinGates(0, n, forward);
                }),
                kind("TimeDistributed").shape((l, ins, x) -> {
                    Long[] in = ins.get(0);
                    Long[] step = new Long[in.length - 1];
                    step[0] = in[0];
                    System.arraycopy(in, 2, step, 1, in.length - 2);
                    Long[] o = x.layer(l.inner().layers().get(0), List.<Long[]>of(step));
                    Long[] r = new Long[o.length + 1];
                    r[0] = o[0];
                    r[1] = in[1];
                    System.arraycopy(o, 1, r, 2, o.length - 1);
                    return r;
                }).weights((l, v) -> {
                    LayerSpec inner = l.inner().layers().get(0);
                    return v.addInner(inner, inner.name() + ".", "layer/");
                }));
    }
}
