package org.kerasport.dl4j;

import com.fasterxml.jackson.databind.JsonNode;
import org.kerasport.dl4j.loss.KerasBinaryCrossentropy;
import org.kerasport.dl4j.loss.KerasCategoricalCrossentropy;
import org.kerasport.dl4j.loss.KerasHuber;
import org.kerasport.dl4j.loss.KerasMeanAbsoluteError;
import org.kerasport.dl4j.loss.KerasMeanSquaredError;
import org.kerasport.dl4j.loss.KerasSparseCategoricalCrossentropy;
import org.kerasport.format.Json;
import org.kerasport.model.LossSpec;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** Keras losses as Keras-exact DL4J loss functions ({@link org.kerasport.dl4j.loss}); null when not supported. */
public final class LossMapper {
    private LossMapper() {
    }

    public static ILossFunction map(LossSpec loss, double weight) {
        if (loss == null) return null;
        JsonNode cfg = loss.config();
        return switch (loss.name()) {
            case "mean_squared_error" -> new KerasMeanSquaredError(weight);
            case "mean_absolute_error" -> new KerasMeanAbsoluteError(weight);
            case "huber" -> {
                Double d = Json.number(cfg, "delta");
                yield new KerasHuber(d == null ? 1.0 : d, weight);
            }
            case "binary_crossentropy" -> new KerasBinaryCrossentropy(loss.fromLogits(), weight);
            case "categorical_crossentropy" -> new KerasCategoricalCrossentropy(loss.fromLogits(), weight);
            case "sparse_categorical_crossentropy" -> new KerasSparseCategoricalCrossentropy(loss.fromLogits(), weight);
            default -> null;
        };
    }
}
