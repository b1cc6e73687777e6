package org.kerasport.dl4j;

import java.util.List;
import org.kerasport.UnsupportedItem;
import org.kerasport.model.OptimizerSpec;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/** Keras optimizers as DL4J updaters with Keras' exact update rules. */
public final class OptimizerMapper {
    private OptimizerMapper() {
    }

    public record Mapped(IUpdater updater, String description) {
    }

    public static Mapped map(OptimizerSpec o, List<UnsupportedItem> problems) {
        if (o == null) return new Mapped(new Sgd(0.01), "SGD(0.01): the model has no optimizer");
        double lr = o.learningRate() == null ? 0.001 : (float) (double) o.learningRate();
        return switch (o.className()) {
            case "SGD" -> new Mapped(new Sgd(lr), "SGD");
            case "Adam", "AdamW" -> new Mapped(new Adam(lr, o.beta1() == null ? 0.9 : o.beta1(), o.beta2() == null ? 0.999 : o.beta2(),
                    o.epsilon() == null ? 1e-7 : o.epsilon()), "Adam");
            default -> {
                problems.add(new UnsupportedItem("", o.className(), "optimizer", "not supported yet"));
                yield new Mapped(new Sgd(lr), "unsupported");
            }
        };
    }
}
