package org.kerasport.train;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kerasport.train.data.TrainingData;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a training step's batch gradient is computed when not in the graph {@link FineTuner} updates: on the
 * partitions of a Spark cluster ({@code org.kerasport.spark.SparkGradients}). FineTuner still forms the batches,
 * applies the one optimizer update per batch ({@code GraphUpdater.applySummedGradient}: every regularizer and the
 * decoupled decay, once), keeps the history, metrics, validation, early stopping and checkpoints; an implementation
 * only sums, over the rows of a batch, the loss gradients of the graph's configuration at the given parameters.
 */
public interface StepGradients extends AutoCloseable {
    /**
     * Once, before the first step: the graph whose configuration and parameter layout every step uses, the training
     * rows (batches name them by index), and whether the steps must return the model's outputs (for the metrics).
     */
    void start(ComputationGraph graph, TrainingData train, boolean outputs);

    /**
     * The sums of one step over the batch's {@code rows} (indices into the training data, in batch order), at
     * parameters {@code params} (the graph's flattened parameter array; not modified).
     */
    Sums sums(INDArray params, int[] rows, int iteration, int epoch);

    /**
     * @param gradient the sum over the rows of the loss gradient (not yet divided by the row count; without penalties),
     *                 in the layout of the graph's gradient array
     * @param scoreSum the sum over the rows of DL4J's score of each part (each part's mean loss plus the weight
     *                 penalties, times its rows): divided by the batch's rows, the batch's score
     * @param outputs  the training-mode outputs of the step's forward pass, one array per model output, rows in batch
     *                 order (empty unless asked for at {@link #start})
     */
    record Sums(INDArray gradient, double scoreSum, List<INDArray> outputs) {
    }

    /** Frees the cluster-side resources of the run (not the cluster). */
    @Override
    void close();
}
