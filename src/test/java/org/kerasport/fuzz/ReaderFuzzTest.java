package org.kerasport.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.dl4j.Dl4jModel;
import org.kerasport.format.ReadOptions;

/**
 * Jazzer fuzz targets for every reader of untrusted files (README "Testing": fuzzing). Each {@code @FuzzTest}
 * takes raw bytes; {@link FuzzTargets} holds the invariant (reads, or a documented Kerasport exception).
 *
 * <ul>
 *   <li>In a normal test run (Jazzer's regression mode) each target runs its committed inputs, under
 *       src/test/resources/org/kerasport/fuzz/ReaderFuzzTestInputs/TARGET/ (the findings of earlier runs, kept as
 *       regression seeds, and small generated files), and {@link #corpusSeeds()} runs it on every real file of
 *       ../shared/keras-corpus and ../shared/keras-reference of its kind, read in place.</li>
 *   <li>{@code scripts/fuzz} runs each target in fuzzing mode ({@code JAZZER_FUZZ=1}) for a time budget, seeded with
 *       the same real files (a directory of links to them, built in target/).</li>
 * </ul>
 */
@Tag("corpus")
class ReaderFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void hdf5Model(byte[] data) {
        FuzzTargets.hdf5Model(data);
    }

    @FuzzTest(maxDuration = "60s")
    void kerasZip(byte[] data) {
        FuzzTargets.kerasZip(data);
    }

    @FuzzTest(maxDuration = "60s")
    void jsonConfig(byte[] data) {
        FuzzTargets.jsonConfig(data);
    }

    @FuzzTest(maxDuration = "60s")
    void npy(byte[] data) {
        FuzzTargets.npy(data);
    }

    @FuzzTest(maxDuration = "60s")
    void npz(byte[] data) {
        FuzzTargets.npz(data);
    }

    @FuzzTest(maxDuration = "60s")
    void csv(byte[] data) {
        FuzzTargets.csv(data);
    }

    @FuzzTest(maxDuration = "60s")
    void hdf5Data(byte[] data) {
        FuzzTargets.hdf5Data(data);
    }

    @FuzzTest(maxDuration = "60s")
    void dl4jZip(byte[] data) {
        FuzzTargets.dl4jZip(data);
    }

    /** The real files each target is seeded with, by extension (scripts/fuzz picks the same ones). */
    static List<Path> seeds(String... extensions) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path root : List.of(TestSupport.corpus(), TestSupport.reference()))
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(Files::isRegularFile).filter(p -> {
                    String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
                    for (String e : extensions) if (n.endsWith(e)) return true;
                    return false;
                }).sorted().forEach(out::add);
            }
        return out;
    }

    /** Every target on every real file of its kind: each reads or fails with a documented exception. */
    @TestFactory
    Stream<DynamicTest> corpusSeeds() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        add(tests, "hdf5Model", FuzzTargets::hdf5Model, seeds(".h5", ".hdf5"));
        add(tests, "hdf5Data", FuzzTargets::hdf5Data, seeds(".h5", ".hdf5"));
        add(tests, "kerasZip", FuzzTargets::kerasZip, seeds(".keras"));
        add(tests, "jsonConfig", FuzzTargets::jsonConfig, seeds(".json"));
        add(tests, "npy", FuzzTargets::npy, seeds(".npy"));
        add(tests, "npz", FuzzTargets::npz, seeds(".npz"));
        assertTrue(tests.size() > 200, "too few seed files under ../shared: " + tests.size());
        return tests.stream();
    }

    /** The DL4J zip target on zips Kerasport converts from two small corpus models (scripts/fuzz seeds with the same). */
    @Test
    void dl4jZipSeeds(@TempDir Path tmp) throws IOException {
        for (String m : List.of("konduit-dl4j-test-resources/simple_sparse_xent/simple_sparse_xent_mlp_keras_2_model.h5",
                "konduit-dl4j-test-resources/activations/LeakyReLU_0_model.h5")) {
            Path zip = tmp.resolve(Path.of(m).getFileName() + ".zip");
            TestSupport.Run r = TestSupport.cli("convert", TestSupport.corpus().resolve(m).toString(), "-o", zip.toString(), "--quiet");
            assertEquals(0, r.code(), r.err());
            byte[] bytes = Files.readAllBytes(zip);
            Dl4jModel.load(FuzzTargets.write(bytes, "seed.zip"), ReadOptions.defaults()); // the seed itself reads
            FuzzTargets.dl4jZip(bytes);
        }
    }

    private static void add(List<DynamicTest> tests, String target, Consumer<byte[]> t, List<Path> files) {
        for (Path f : files)
            tests.add(DynamicTest.dynamicTest(target + " " + f.getFileName(), () -> t.accept(Files.readAllBytes(f))));
    }
}
