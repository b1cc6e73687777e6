package org.kerasport;

/**
 * One thing in a valid Keras model that Kerasport cannot handle (yet).
 *
 * @param layer     the layer name ("" for model-level items such as the optimizer)
 * @param className the Keras class involved (layer, regularizer or optimizer class)
 * @param field     the config field, e.g. {@code class_name}, {@code kernel_regularizer}, {@code function}
 * @param reason    what is wrong and what the user can do
 */
public record UnsupportedItem(String layer, String className, String field, String reason) {
    @Override
    public String toString() {
        return (layer.isEmpty() ? "" : "layer '" + layer + "' ") + "(" + className + "), " + field + ": " + reason;
    }
}
