package org.kerasport.dl4j;

import java.util.ArrayList;
import java.util.List;
import org.kerasport.model.Regularizer;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Keras regularizers as DL4J regularizations, exactly: {@code L1(l1)} → {@code L1Regularization(l1)};
 * {@code L2(l2)} → {@code L2Regularization(2·l2)} (DL4J's penalty is ½·c·Σw², Keras' l2·Σw²; as {@link KerasL2Regularization},
 * whose penalty is computed faster); {@code L1L2} → both.
 * Zero terms are left out. The optimizer's decoupled weight decay, when set, is added to every trainable variable.
 */
public final class RegularizationMapper {
    private RegularizationMapper() {
    }

    public static List<Regularization> map(Regularizer r, Double weightDecay) {
        List<Regularization> out = new ArrayList<>();
        if (r != null && !(r instanceof Regularizer.Orthogonal)) {
            if (r.l1() != 0) out.add(new L1Regularization(r.dl4jL1()));
            if (r.l2() != 0) out.add(new KerasL2Regularization(r.dl4jL2()));
        }
        if (weightDecay != null && weightDecay != 0) out.add(new DecoupledWeightDecay(weightDecay));
        return out;
    }

    /** Human form of a mapped list, for the fidelity report. */
    public static String describe(List<Regularization> regs) {
        if (regs.isEmpty()) return "none";
        List<String> parts = new ArrayList<>();
        for (Regularization g : regs) {
            if (g instanceof L1Regularization l1) parts.add("L1Regularization(" + l1.getL1().valueAt(0, 0) + ")");
            else if (g instanceof L2Regularization l2) parts.add("L2Regularization(" + l2.getL2().valueAt(0, 0) + ")");
            else parts.add(g.toString());
        }
        return String.join(" + ", parts);
    }
}
