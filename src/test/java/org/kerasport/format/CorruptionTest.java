package org.kerasport.format;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.KerasportException;
import org.kerasport.TestSupport;

/**
 * Every corpus model, truncated at several offsets and with bytes flipped at several offsets, gives either a model
 * or a clean Kerasport error (a message naming the file) - never another exception, a JVM crash or a hang.
 */
@Tag("corpus")
class CorruptionTest {
    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicTest> truncatedAndCorruptedFilesFailCleanly() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (CorpusManifestTest.Row r : CorpusManifestTest.manifest()) {
            String[] args = CorpusManifestTest.inspectArgs(r);
            if (args == null || r.get("format").startsWith("weights-") || r.get("format").equals("keras-json-arch")) continue;
            Path file = TestSupport.corpus().resolve(r.get("local_path"));
            tests.add(DynamicTest.dynamicTest(r.get("local_path"), () -> mangle(file)));
        }
        return tests.stream();
    }

    private static void mangle(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int n = bytes.length;
        String ext = file.getFileName().toString().endsWith(".keras") ? ".keras" : ".h5";
        long[] cuts = {0, 1, 8, 100, 2048, n / 4, n / 2, 3L * n / 4, n - 1};
        for (long cut : cuts) {
            if (cut >= n) continue;
            Path p = tmp.resolve("truncated-" + cut + ext);
            Files.write(p, Arrays.copyOf(bytes, (int) cut));
            expectCleanOutcome(p, "truncated at " + cut);
        }
        SplittableRandom rnd = new SplittableRandom(file.getFileName().toString().hashCode());
        for (int k = 0; k < 10; k++) {
            byte[] b = bytes.clone();
            int at = k < 3 ? new int[]{0, 9, 64}[k] % n : rnd.nextInt(Math.min(n, 4096 + k * (n / 10)));
            for (int j = 0; j < 4 && at + j < n; j++) b[at + j] ^= (byte) (0x5a + j);
            Path p = tmp.resolve("flipped-" + at + ext);
            Files.write(p, b);
            expectCleanOutcome(p, "bytes flipped at " + at);
        }
    }

    private static void expectCleanOutcome(Path p, String what) {
        try {
            KerasReader.read(p, ReadOptions.defaults().lenient(true));
        } catch (KerasportException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p.getFileName().toString()),
                    what + ": the message should name the file: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            e.printStackTrace();
            fail(p + " (" + what + "): not a clean error: " + e);
        }
    }
}
