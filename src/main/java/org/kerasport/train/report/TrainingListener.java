package org.kerasport.train.report;

import java.util.Map;

/**
 * What a training loop tells about its progress (Kerasport's own, not DL4J's listeners). Epoch and batch are 0-based
 * indices as in Keras callbacks; what is shown to the user counts from 1. Logs map Keras' names ({@code loss},
 * {@code accuracy}, {@code val_loss}, ...) to values, in the order the trainer logs them. Every method does nothing
 * unless overridden.
 */
public interface TrainingListener {
    /** Training begins: {@code epochs} to run, {@code batchesPerEpoch} per epoch (or -1 when not known). */
    default void onTrainStart(int epochs, long batchesPerEpoch) {
    }

    /** An epoch begins. */
    default void onEpochStart(int epoch) {
    }

    /** A batch is done; {@code runningLogs} are the epoch's running means so far (training metrics only). */
    default void onBatchEnd(int epoch, long batch, Map<String, Double> runningLogs) {
    }

    /** An epoch is done after {@code seconds}; {@code logs} are its final values, validation ones included. */
    default void onEpochEnd(int epoch, Map<String, Double> logs, double seconds) {
    }

    /** Training ended (all epochs, early stop or error) after {@code seconds}, with the history so far. */
    default void onTrainEnd(History history, double seconds) {
    }
}
