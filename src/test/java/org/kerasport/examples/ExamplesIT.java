package org.kerasport.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;

/**
 * The examples, run end to end as users run them (after packaging, so bin/kerasport uses the built jar): Keras trains
 * and saves a model with L2 kernels (examples/train_keras.py), kerasport inspects and fine-tunes it to .keras, Keras
 * loads the result and keeps training (examples/continue_in_keras.py) — examples/journey.sh — and the Java API example
 * (examples/java/FineTuneExample.java) does the fine-tuning from Java. So the examples cannot rot.
 */
@Tag("examples")
class ExamplesIT {
    @TempDir
    Path tmp;

    @Test
    void theWholeJourneyRuns() throws IOException, InterruptedException {
        String out = run(List.of("bash", "examples/journey.sh", tmp.toString()));
        assertTrue(out.contains("Keras: 5 epochs"), out);
        assertTrue(out.contains("L2(l2=0.001)"), "inspect shows the regularizers:\n" + out);
        assertTrue(out.matches("(?s).*Keras loaded .*tuned\\.keras: optimizer Adam, \\d+ iterations so far.*"), out);
        assertTrue(out.contains("Keras: 2 more epochs") && out.contains("journey done"), out);
        // the launcher's class-data archives: the journey starts with inspect, whose archive (no ND4J, no DL4J) must not
        // be the one its training and export runs map
        Path light = Path.of("target/kerasport-light.jsa"), full = Path.of("target/kerasport-full.jsa");
        assertTrue(Files.exists(light) && Files.exists(full), "both class-data archives recorded");
        assertTrue(Files.size(full) > 2 * Files.size(light), "the training runs' archive holds ND4J and DL4J: " + Files.size(full) + " bytes");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String javaOut = run(List.of(java, "-cp", "target/kerasport.jar:target/lib/*", "examples/java/FineTuneExample.java", tmp.toString()));
        assertTrue(javaOut.contains("Java: val_accuracy"), javaOut);
        assertTrue(Files.size(tmp.resolve("tuned-java.keras")) > 0);
        String cont = run(List.of(TestSupport.python().toString(), "examples/continue_in_keras.py", tmp.resolve("tuned-java.keras").toString(), tmp.toString()));
        assertTrue(cont.contains("Keras: 2 more epochs"), cont);
    }

    /**
     * bin/kerasport runs the JVM with the serial collector (bench/RESULTS.md: faster and smaller for Kerasport's
     * runs) unless the caller chose a collector, which must then start as asked (two collectors would not start).
     */
    @Test
    void theLauncherUsesTheSerialCollectorUnlessTheCallerChoseOne() throws IOException, InterruptedException {
        String dflt = run(List.of("bin/kerasport", "--version"), Map.of("KERASPORT_JAVA_OPTS", "-Xlog:gc:stderr"));
        assertTrue(dflt.contains("Using Serial") && dflt.contains("kerasport "), dflt);
        String chosen = run(List.of("bin/kerasport", "--version"), Map.of("KERASPORT_JAVA_OPTS", "-XX:+UseParallelGC -Xlog:gc:stderr"));
        assertTrue(chosen.contains("Using Parallel") && chosen.contains("kerasport "), chosen);
        String tool = run(List.of("bin/kerasport", "--version"), Map.of("JAVA_TOOL_OPTIONS", "-XX:+UseG1GC -Xlog:gc:stderr"));
        assertTrue(tool.contains("Using G1") && tool.contains("kerasport "), tool);
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        return run(cmd, Map.of());
    }

    private static String run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        Path log = Files.createTempFile("example", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KERASPORT_VENV", TestSupport.python().getParent().getParent().toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), cmd + "\n" + out);
        return out;
    }
}
