package org.kerasport.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect} in a fresh JVM, as users run it: quiet, correct, and without loading the ND4J native backend. */
@Tag("unit")
class InspectProcessTest {
    @TempDir
    Path tmp;

    @Test
    void inspectOfTheBundledSampleLoadsNoNd4jAndPrintsTheRegularizers() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = tmp.resolve("out.txt"), classes = tmp.resolve("classes.txt");
        Process p = new ProcessBuilder(List.of(java.toString(), "-Xlog:class+load=info:file=" + classes,
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "inspect", "models/seed_mlp.keras"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "inspect hung");
        String text = Files.readString(out);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("L2(l2=0.001)") && text.contains("0.002"), "the L2 regularizers and their DL4J coefficient:\n" + text);
        assertTrue(text.contains("Adam") && text.contains("mean_squared_error"), text);
        assertFalse(text.contains("INFO") || text.contains("WARN"), "no library logging by default:\n" + text);
        String loaded = Files.readString(classes);
        assertFalse(loaded.contains("org.nd4j.linalg.factory.Nd4j "), "inspect must not start ND4J");
        assertFalse(loaded.contains("org.nd4j.nativeblas"), "inspect must not load the ND4J native backend");
        assertFalse(loaded.contains("org.deeplearning4j"), "inspect must not touch DL4J");
    }
}
