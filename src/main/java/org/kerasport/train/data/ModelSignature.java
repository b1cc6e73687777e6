package org.kerasport.train.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What a model expects of its training data: input and output names (Keras layer names), Keras shapes (batch axis
 * first, {@code null} = free dimension; a whole shape may be {@code null} when unknown, which skips its check) and,
 * per output name, the canonical Keras loss name ({@code mean_squared_error}, {@code sparse_categorical_crossentropy} ...).
 */
public record ModelSignature(List<String> inputNames, List<Long[]> inputShapes, List<String> outputNames,
                             List<Long[]> outputShapes, Map<String, String> lossByOutput) {
    public ModelSignature {
        if (inputNames.size() != inputShapes.size() || outputNames.size() != outputShapes.size())
            throw new IllegalArgumentException("one shape per input and per output");
        inputNames = List.copyOf(inputNames);
        outputNames = List.copyOf(outputNames);
        inputShapes = Collections.unmodifiableList(new ArrayList<>(inputShapes));
        outputShapes = Collections.unmodifiableList(new ArrayList<>(outputShapes));
        lossByOutput = Map.copyOf(lossByOutput);
    }

    /** A Keras shape as Python prints it: {@code (None, 2)}, {@code (None,)}; {@code ?} for an unknown shape. */
    public static String format(Long[] shape) {
        if (shape == null) return "?";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? ", " : "").append(shape[i] == null ? "None" : shape[i]);
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** A concrete shape as Python prints it: {@code (100, 2)}, {@code (100,)}. */
    public static String format(long[] shape) {
        Long[] boxed = new Long[shape.length];
        for (int i = 0; i < shape.length; i++) boxed[i] = shape[i];
        return format(boxed);
    }
}
