package org.kerasport.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.model.Regularizer;
import org.kerasport.train.DecaySearch.Penalty;
import org.kerasport.train.report.SearchProgress;

/** What each search setting does to the model, and the progress display. */
@Tag("unit")
class DecaySearchVariantTest {
    static final KerasModel M = KerasReader.read(Path.of("models/seed_mlp.keras")); // l2(0.001) kernels, Adam

    static Regularizer kernelReg(KerasModel m, String layer) {
        return m.graph().layer(layer).orElseThrow().weight("kernel").orElseThrow().regularizer();
    }

    @Test
    void eachPenaltyIsTheOnlyOneOnTheScopedKernels() {
        assertEquals(List.of("dense", "dense_1"), ModelEdits.kernelLayers(M));
        KerasModel l2 = DecaySearch.variant(M, List.of("dense_1"), Penalty.L2, 0.5);
        assertEquals(new Regularizer.L2(0.5, "L2").l2(), kernelReg(l2, "dense_1").l2());
        assertEquals(0.001, kernelReg(l2, "dense").l2(), 1e-12); // outside the scope: as in the file
        assertEquals(0.0, l2.training().optimizer().weightDecay());
        KerasModel l1 = DecaySearch.variant(M, List.of("dense", "dense_1"), Penalty.L1, 0.25);
        assertTrue(kernelReg(l1, "dense") instanceof Regularizer.L1 r && r.l1() == 0.25);
        KerasModel wd = DecaySearch.variant(M, List.of("dense", "dense_1"), Penalty.DECOUPLED, 0.01);
        assertNull(kernelReg(wd, "dense"));
        assertNull(kernelReg(wd, "dense_1"));
        assertEquals(0.01, wd.training().optimizer().weightDecay());
        assertNull(kernelReg(DecaySearch.variant(M, List.of("dense"), Penalty.L2, 0.0), "dense")); // λ = 0: no penalty
    }

    @Test
    void progressBarOnATerminalAndLinesOtherwise() {
        ByteArrayOutputStream term = new ByteArrayOutputStream(), plain = new ByteArrayOutputStream();
        long[] clock = {0};
        for (boolean tty : new boolean[]{true, false}) {
            SearchProgress p = new SearchProgress(new PrintStream(tty ? term : plain, true, StandardCharsets.UTF_8), tty, 100, () -> clock[0]);
            p.onStart(2, 2);
            DecaySearch.Fit fit = new DecaySearch.Fit(Penalty.L2, 1e-4, 0);
            for (int e = 0; e < 2; e++) {
                clock[0] += 200_000_000L;
                p.onEpochEnd(fit, e);
            }
            p.onFitEnd(new DecaySearch.FitResult(fit, Map.of("val_loss", 0.25), 0.4), 1, 2);
            p.onEnd(0.8);
        }
        String t = term.toString(StandardCharsets.UTF_8), l = plain.toString(StandardCharsets.UTF_8);
        assertTrue(t.contains("\rtune-decay [") && t.contains("ETA") && t.contains("l2 λ=0.0001"), t);
        assertTrue(l.contains("fit 1/2: l2 λ=0.0001 fold 1 - val_loss: 0.2500") && !l.contains("\r"), l);
    }
}
