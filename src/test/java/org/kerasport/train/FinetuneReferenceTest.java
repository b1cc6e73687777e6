package org.kerasport.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.KerasMatch;
import org.kerasport.dl4j.WeightBinding;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.kerasport.format.Json;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.train.data.TrainingData;

/**
 * The fine-tuning job itself (the FineTuner behind {@code kerasport finetune}) reproduces every keras-reference
 * training case: the case's batches in order (shuffle off, batch size = the case's), a fresh optimizer as the case
 * says, one epoch of exactly the case's steps. The epoch loss equals the batch-size-weighted mean of Keras' step
 * losses, and every variable at the end equals Keras' after the last step, within the KerasMatch bounds.
 */
@Tag("corpus")
@Tag("trajectory")
class FinetuneReferenceTest {
    static final List<String> CASES = List.of("seed_example", "reg_dense", "reg_conv", "reg_embedding", "frozen", "functional",
            "reg_rnn/lstm", "reg_rnn/gru", "reg_rnn/simple_rnn", "reg_rnn/bidirectional_lstm");

    @TestFactory
    Stream<DynamicTest> finetuneReproducesEveryTrainingReference() throws IOException {
        List<String> cases = new ArrayList<>(CASES);
        try (Stream<Path> s = Files.list(TestSupport.reference().resolve("optimizers"))) {
            s.map(p -> "optimizers/" + p.getFileName()).sorted().forEach(cases::add);
        }
        return cases.stream().map(c -> DynamicTest.dynamicTest(c, () -> check(c)));
    }

    static void check(String c) throws IOException {
        Path dir = TestSupport.reference().resolve(c);
        JsonNode cs = Json.parse(Files.readString(dir.resolve("case.json")), dir, "case.json");
        JsonNode t = cs.get("training");
        Map<String, NdArray> ref = Npy.readNpz(dir.resolve("reference.npz"));
        int steps = t.get("steps").asInt(), batch = t.get("batch_size").asInt();
        JsonNode ins = cs.get("inputs"), outs = cs.get("outputs");
        List<NdArray> x = new ArrayList<>(), y = new ArrayList<>();
        for (int i = 0; i < ins.size(); i++) x.add(concat(ref, "train_x__", steps, ins.size() > 1 ? "__" + ins.get(i).get("name").asText() : ""));
        for (int i = 0; i < outs.size(); i++) y.add(concat(ref, "train_y__", steps, outs.size() > 1 ? "__" + outs.get(i).get("name").asText() : ""));
        KerasModel m = KerasReader.read(dir.resolve("model.keras"));
        FineTuner.Result r = FineTuner.builder(m).data(new TrainingData(x, y)).epochs(1).batchSize(batch).shuffle(false)
                .freshOptimizer(t.get("fresh_optimizer").asBoolean()).build().run();
        double want = 0, maxLoss = 0;
        long rows = 0;
        for (int k = 0; k < steps; k++) {
            long n = ref.get("train_x__" + k + (ins.size() > 1 ? "__" + ins.get(0).get("name").asText() : "")).shape()[0];
            want += t.get("losses").get(k).asDouble() * n;
            maxLoss = Math.max(maxLoss, Math.abs(t.get("losses").get(k).asDouble()));
            rows += n;
        }
        // the epoch loss: a mean of the step losses, each within KerasMatch's bound after its step (the case's
        // documented loss_abs as the floor); every weight: the per-step bounds summed along Keras's trajectory
        long batchElements = 0;
        for (NdArray xi : x) batchElements += xi.data().length / xi.shape()[0] * batch;
        long n = KerasMatch.trainingLength(r.model(), batchElements);
        double lossTol = KerasMatch.lossTolerance(cs.path("tolerance").path("loss_abs").asDouble(0), n, steps, maxLoss);
        assertEquals(want / rows, r.history().get("loss").get(0), lossTol, c + ": epoch loss");
        double floor = cs.path("tolerance").path("train_abs").asDouble(0);
        for (WeightBinding b : r.model().bindings()) {
            String key = b.kerasLayer() + "__" + b.kerasWeight();
            INDArray w = arr(ref.get("after__" + (steps - 1) + "__" + key));
            double tol = floor;
            INDArray before = arr(ref.get("w__" + key));
            for (int k = 0; k < steps; k++) {
                INDArray after = arr(ref.get("after__" + k + "__" + key));
                tol += KerasMatch.stepTolerance(n, before, after);
                before = after;
            }
            KerasMatch.assertMaxDiff(w, KerasMatch.kerasValue(r.model(), b, w.shape()), tol, c + ": " + key);
        }
    }

    private static INDArray arr(NdArray a) {
        return Nd4j.create(a.data(), a.shape(), 'c');
    }

    /** The case's batches one after another, as one data set. */
    private static NdArray concat(Map<String, NdArray> ref, String prefix, int steps, String suffix) {
        List<NdArray> parts = new ArrayList<>();
        for (int k = 0; k < steps; k++) parts.add(ref.get(prefix + k + suffix));
        long rows = 0;
        for (NdArray p : parts) rows += p.shape()[0];
        long[] shape = parts.get(0).shape().clone();
        shape[0] = rows;
        float[] data = new float[(int) (parts.stream().mapToLong(p -> p.data().length).sum())];
        int at = 0;
        for (NdArray p : parts) {
            System.arraycopy(p.data(), 0, data, at, p.data().length);
            at += p.data().length;
        }
        return new NdArray(shape, data, "float32");
    }
}
