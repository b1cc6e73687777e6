package org.kerasport.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kerasport.TestSupport;
import org.kerasport.UsageException;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.dl4j.ImportedModel;
import org.kerasport.dl4j.KerasMatch;
import org.kerasport.dl4j.WeightBinding;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.model.WeightSpec;
import org.kerasport.train.FineTuner;
import org.kerasport.train.ModelOutputs;
import org.kerasport.train.data.DataSources;
import org.kerasport.train.data.TrainingData;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Spark tier: the synchronous Spark step is the single-machine step. With real Spark ({@code local[2]}, one context
 * for the class) and the rows spread over k = 1, 2 and 3 partitions, FineTuner with {@link SparkGradients} and
 * FineTuner alone train the same model on the same batches: every epoch's loss and accuracy and every final weight
 * agree within float32 summation tolerance. Models: the seed MLP (Adam with its stored state, L2 kernels, accuracy),
 * and, made by real Keras (src/test/python/spark_models.py), an MLP with L1L2/L2 kernel and bias regularizers under
 * AdamW (decoupled weight decay, clipnorm) and a CNN (Conv2D, max pooling, L1 bias, SGD with Nesterov momentum).
 * Batches that do not divide evenly over the partitions (a 10-row last batch over 3, 4 rows over 3) are included:
 * a mean of partition means would differ from the batch mean there, and a penalty applied per partition would count
 * k times.
 *
 * <p>Tolerance: both runs execute the same float32 operations except that the batch's per-row gradient sums (inside
 * one GEMM / reduction locally) are summed per partition and then added in partition order on the driver: another
 * order of the same sums. Each order is within the probabilistic bound of the exact sum, so the two differ by
 * {@code Tolerances.between(n, ...)} per step, n the training step's reduction length ({@code KerasMatch.trainingLength}:
 * the pass, the batch, the penalty's sum over the parameters), and the differences add step by step
 * ({@code Tolerances.steps}): the KerasMatch loss and final-weight bounds, with the local run in Keras' place. The
 * accuracy counts samples: one whose prediction sits on a decision boundary could flip, so one sample's worth.
 */
@Tag("spark")
class SparkFinetuneTest {
    static final Path SCRIPT = Path.of("src/test/python/spark_models.py").toAbsolutePath();
    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("kerasport SparkFinetuneTest")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    }

    @AfterAll
    static void stopSpark() {
        if (sc != null) sc.stop();
    }

    /** spark_models.py's output, made once per script version under target/interop. */
    static synchronized Path generated() {
        try {
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(SCRIPT))).substring(0, 16);
            Path dir = Path.of("target", "interop").toAbsolutePath(), out = dir.resolve("spark-" + hash);
            if (!Files.exists(out.resolve("done"))) {
                Files.createDirectories(out);
                TestSupport.runPython(dir, 600, SCRIPT.toString(), out.toString());
                Files.writeString(out.resolve("done"), "ok\n");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void seedModelTrainsAsLocally(int k) {
        // 200 of the 1000 rows: 7 batches of 32 an epoch, the last of 8; shuffled every epoch
        check(Path.of("models/seed_mlp.keras"), Path.of("models/seed_mlp_train.npz"), 200, 32, 2, true, k);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void mlpWithEveryRegularizerAndDecoupledDecayTrainsAsLocally(int k) {
        Path d = generated().resolve("mlp");
        check(d.resolve("model.keras"), d.resolve("train.npz"), 90, 16, 2, true, k); // last batch: 10 rows
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void cnnTrainsAsLocally(int k) {
        Path d = generated().resolve("cnn");
        check(d.resolve("model.keras"), d.resolve("train.npz"), 40, 12, 2, false, k); // the data's order; last batch: 4 rows
    }

    @Test
    void modelsWhoseBatchesDoNotSplitAreRefused() {
        Path d = generated().resolve("dropout");
        KerasModel m = KerasReader.read(d.resolve("model.keras"));
        TrainingData data = DataSources.load(d.resolve("train.npz").toString(), List.of(), ModelOutputs.signature(m));
        try (SparkGradients g = new SparkGradients(sc, 2)) {
            UsageException e = assertThrows(UsageException.class, () -> FineTuner.builder(m).data(data).stepGradients(g).build().run());
            assertTrue(e.getMessage().contains("layer 'drop'") && e.getMessage().contains("train it without Spark"), e.getMessage());
        }
    }

    private static void check(Path model, Path data, int rows, int batch, int epochs, boolean shuffle, int k) {
        KerasModel m = KerasReader.read(model);
        TrainingData train = DataSources.load(data.toString(), List.of(), ModelOutputs.signature(m)).slice(0, rows);
        FineTuner.Result local = FineTuner.builder(m).data(train).epochs(epochs).batchSize(batch).shuffle(shuffle).seed(5)
                .twoThreadSteps(false).build().run();
        FineTuner.Result spark;
        try (SparkGradients g = new SparkGradients(sc, k)) {
            spark = FineTuner.builder(KerasReader.read(model)).data(train).epochs(epochs).batchSize(batch).shuffle(shuffle).seed(5)
                    .stepGradients(g).build().run();
        }
        String label = model.getParent().getFileName() + "/" + model.getFileName() + ", k = " + k;
        int stepsPerEpoch = (rows + batch - 1) / batch;
        long rowElements = train.inputs().get(0).data().length / rows;
        ImportedModel start = Dl4jImporter.importForTraining(KerasReader.read(model), false);
        long n = KerasMatch.trainingLength(start, batch * rowElements);
        for (int e = 0; e < epochs; e++) {
            double want = local.history().get("loss").get(e), got = spark.history().get("loss").get(e);
            assertEquals(want, got, KerasMatch.lossTolerance(0, n, (e + 1) * stepsPerEpoch, want), label + ": loss of epoch " + (e + 1));
            assertEquals(local.history().get("accuracy").get(e), spark.history().get("accuracy").get(e), 1.0 / rows + 1e-12,
                    label + ": accuracy of epoch " + (e + 1));
        }
        int compared = 0;
        for (WeightBinding b : local.model().bindings()) {
            WeightSpec w = m.graph().layer(b.kerasLayer()).flatMap(l -> l.weight(b.kerasWeight())).orElseThrow();
            INDArray want = KerasMatch.kerasValue(local.model(), b, w.shape()), got = KerasMatch.kerasValue(spark.model(), b, w.shape());
            KerasMatch.assertMaxDiff(want, got, KerasMatch.finalWeightTolerance(n, epochs * stepsPerEpoch, KerasMatch.kerasValue(start, b, w.shape()), want),
                    label + ": " + b.kerasLayer() + "/" + b.kerasWeight());
            compared++;
        }
        assertTrue(compared >= 4, label + ": compared only " + compared + " weights");
        assertEquals(local.model().graph().getIterationCount(), spark.model().graph().getIterationCount(), label + ": steps taken");
    }
}
