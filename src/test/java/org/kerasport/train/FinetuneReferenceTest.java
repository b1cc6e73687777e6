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
import org.junit.jupiter.api.TestFactory;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.WeightBinding;
import org.kerasport.format.Json;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.train.data.TrainingData;

/**
 * The fine-tuning job itself (the FineTuner behind {@code kerasport finetune}) reproduces every keras-reference
 * training case: the case's batches in order (shuffle off, batch size = the case's), a fresh optimizer as the case
 * says, one epoch of exactly the case's steps. The epoch loss equals the batch-size-weighted mean of Keras' step
 * losses, and every variable at the end equals Keras' after the last step.
 */
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
        double want = 0;
        long rows = 0;
        for (int k = 0; k < steps; k++) {
            long n = ref.get("train_x__" + k + (ins.size() > 1 ? "__" + ins.get(0).get("name").asText() : "")).shape()[0];
            want += t.get("losses").get(k).asDouble() * n;
            rows += n;
        }
        double lossTol = cs.path("tolerance").path("loss_abs").asDouble(1e-5);
        assertEquals(want / rows, r.history().get("loss").get(0), lossTol, c + ": epoch loss");
        double tol = cs.path("tolerance").path("train_abs").asDouble(1e-5);
        for (WeightBinding b : r.model().bindings()) {
            NdArray w = ref.get("after__" + (steps - 1) + "__" + b.kerasLayer() + "__" + b.kerasWeight());
            float[] got = b.layout().toKeras(r.model().graph().getParam(b.vertex() + "_" + b.param()), w.shape());
            double diff = 0;
            for (int i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i] - w.data()[i]));
            assertTrue(diff <= tol, c + ": " + b.kerasLayer() + "/" + b.kerasWeight() + " max |diff| " + diff + " > " + tol);
        }
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
