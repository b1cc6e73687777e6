package org.kerasport.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.ImportedModel;
import org.kerasport.format.Json;
import org.kerasport.train.report.History;
import org.kerasport.util.AtomicFiles;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.kerasport.UsageException;
import org.kerasport.FileAccessException;

/**
 * Per-epoch checkpoints of a fine-tuning run: the parameters, the updater state, the iteration and epoch counters,
 * the history and the early-stopping state. Files of epoch e are written first, {@code state.json} naming them last
 * (each atomically), so a run killed at any moment resumes from the last complete epoch; batches depend only on the
 * seed and the epoch, so the resumed run ends exactly where an uninterrupted one would.
 */
final class Checkpoints {
    private final Path dir;

    Checkpoints(Path dir) {
        this.dir = dir;
    }

    record Restored(History history, int nextEpoch) {
    }

    void save(ImportedModel im, int epoch, History history, FineTuner.EarlyStop stop) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new FileAccessException(dir + ": cannot create the checkpoint directory: " + e.getMessage(), e);
        }
        ComputationGraph g = im.graph();
        String tag = String.format("epoch-%04d", epoch + 1);
        writeArray(dir.resolve(tag + ".params.npy"), g.params());
        INDArray upd = g.getUpdater().getStateViewArray();
        if (upd != null) writeArray(dir.resolve(tag + ".updater.npy"), upd);
        if (stop != null && stop.bestParams != null) writeArray(dir.resolve(tag + ".best.npy"), stop.bestParams);
        history.writeJson(dir.resolve(tag + ".history.json"), true);
        ObjectNode s = Json.object();
        s.put("epochs_done", epoch + 1);
        s.put("tag", tag);
        s.put("iteration_count", g.getConfiguration().getIterationCount());
        s.put("epoch_count", g.getConfiguration().getEpochCount());
        s.put("source_sha256", im.keras().source().sha256());
        if (stop != null) {
            s.put("best", stop.best);
            s.put("best_epoch", stop.bestEpoch);
            s.put("wait", stop.wait);
        }
        AtomicFiles.writeBytes(dir.resolve("state.json"), true, s.toPrettyString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String previous = String.format("epoch-%04d", epoch);
        for (String ext : new String[]{".params.npy", ".updater.npy", ".best.npy", ".history.json"})
            try {
                Files.deleteIfExists(dir.resolve(previous + ext));
            } catch (IOException ignored) {
                // an old checkpoint left behind is harmless
            }
    }

    /** Loads the last complete checkpoint into the freshly imported graph; null when the directory has none. */
    Restored restore(ImportedModel im, FineTuner.EarlyStop stop) {
        Path state = dir.resolve("state.json");
        if (!Files.exists(state)) return null;
        JsonNode s;
        try {
            s = Json.parse(Files.readString(state), state, null);
        } catch (IOException e) {
            throw new FileAccessException(state + ": cannot read: " + e.getMessage(), e);
        }
        if (!im.keras().source().sha256().equals(s.path("source_sha256").asText()))
            throw new UsageException(dir + ": these checkpoints belong to another model file; use another --checkpoint-dir");
        String tag = s.get("tag").asText();
        ComputationGraph g = im.graph();
        g.setParams(readArray(dir.resolve(tag + ".params.npy"), g.params().length()));
        if (Files.exists(dir.resolve(tag + ".updater.npy")))
            g.getUpdater().setStateViewArray(readArray(dir.resolve(tag + ".updater.npy"), g.getUpdater().getStateViewArray().length()));
        g.getConfiguration().setIterationCount(s.get("iteration_count").asInt());
        g.getConfiguration().setEpochCount(s.get("epoch_count").asInt());
        if (stop != null && s.has("best")) {
            stop.best = s.get("best").asDouble();
            stop.bestEpoch = s.get("best_epoch").asInt();
            stop.wait = s.get("wait").asInt();
            Path best = dir.resolve(tag + ".best.npy");
            if (Files.exists(best)) stop.bestParams = readArray(best, g.params().length());
        }
        return new Restored(History.readJson(dir.resolve(tag + ".history.json")), s.get("epochs_done").asInt());
    }

    private static void writeArray(Path p, INDArray a) {
        float[] data = org.kerasport.dl4j.NdArrays.floats(a);
        NdArray nd = new NdArray(new long[]{data.length}, data, "float32");
        AtomicFiles.write(p, true, tmp -> {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                os.write(Npy.npyBytes(nd));
            }
        });
    }

    private static INDArray readArray(Path p, long expected) {
        NdArray a = Npy.read(p);
        if (a.data().length != expected)
            throw new UsageException(p + ": holds " + a.data().length + " values, the model has " + expected
                    + " (the checkpoint is from a different configuration)");
        return org.kerasport.dl4j.NdArrays.of(a.data(), new long[]{1, a.data().length});
    }

}
