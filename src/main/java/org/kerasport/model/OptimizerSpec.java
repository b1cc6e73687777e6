package org.kerasport.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Keras optimizer with its hyperparameters, normalized across versions ({@code lr} is learning_rate,
 * {@code Custom>Adam} is Adam). Absent settings are null; {@link #config} keeps the config verbatim.
 *
 * @param className          canonical Keras 3 class name: SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam, Ftrl, Lion ...
 * @param writtenClassName   as written (Custom&gt;Adam, Adam ...)
 * @param learningRate       constant learning rate, or null when {@link #learningRateSchedule} is set
 * @param learningRateSchedule the serialized schedule ({@code {class_name, config}}), or null
 * @param weightDecay        decoupled weight decay (Keras 3 / tf.keras ≥2.11 optimizers, AdamW), or null
 * @param legacyDecay        Keras 1/2 {@code decay}: learning-rate decay lr/(1+decay·t), NOT weight decay; null if absent
 */
public record OptimizerSpec(String className, String writtenClassName, Double learningRate,
                            JsonNode learningRateSchedule, Double weightDecay, Double momentum, Boolean nesterov,
                            Double beta1, Double beta2, Double epsilon, Boolean amsgrad, Double rho, Boolean centered,
                            Double initialAccumulatorValue, Double clipnorm, Double clipvalue, Double globalClipnorm,
                            Double legacyDecay, JsonNode config) {
}
