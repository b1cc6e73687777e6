package org.kerasport;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.kerasport.cli.Main;
import org.kerasport.format.Json;

/**
 * Shared test plumbing: where ../shared and the interop Python are, and running the CLI in-process.
 *
 * <p>Test tiers (JUnit tags on every test class; TiersTest checks that each has one): {@code unit} needs neither the
 * venv nor ../shared and runs in seconds ({@code scripts/test --fast}); {@code interop} runs real Keras through the
 * venv's Python; {@code corpus} reads ../shared; {@code examples} runs the examples (failsafe); {@code spark} runs
 * real Spark ({@code local[N]} in the test JVM, with the venv where it needs Keras models). A class may carry
 * interop and corpus together. {@code trajectory} marks, across tiers, the classes that compare numbers computed by
 * ND4J's kernels ({@code scripts/test --kernels} runs them with other BLAS/oneDNN kernel choices). When Maven runs the
 * unit tier only ({@code -Dkerasport.tier=unit}) the venv and ../shared are refused here, so a mistagged test fails
 * with a message instead of passing by accident on a developer machine.
 */
public final class TestSupport {
    private TestSupport() {
    }

    private static void notInUnitTier(String what) {
        if ("unit".equals(System.getProperty("kerasport.tier")))
            fail("a unit-tier test asked for " + what + ": tag its class @Tag(\"interop\") or @Tag(\"corpus\") (TestSupport's tiers)");
    }

    public static Path shared() {
        notInUnitTier("../shared");
        Path p = Path.of(System.getProperty("kerasport.shared", "../shared")).toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(p.resolve("keras-corpus")), "../shared/keras-corpus not found at " + p);
        return p;
    }

    public static Path corpus() {
        return shared().resolve("keras-corpus");
    }

    public static Path reference() {
        return shared().resolve("keras-reference");
    }

    /** The interop tier's Python (real Keras). Missing is a failure, never a skip. */
    public static Path python() {
        notInUnitTier("the interop venv");
        Path p = Path.of(System.getProperty("kerasport.python",
                System.getProperty("user.home") + "/.cache/kerasport/venv/bin/python"));
        if (!Files.isExecutable(p))
            fail("the interop Python " + p + " is missing: run scripts/ensure-venv (the test command in the README does)");
        return p;
    }

    public record Run(int code, String out, String err) {
        public JsonNode json() {
            return Json.parse(out, null, "stdout");
        }
    }

    public static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * The output folder of a generator script in {@code src/test/python} run as {@code python SCRIPT OUT [args]} with
     * real Keras, cached under {@code target/interop/} by a hash of every script in that folder (the generators import
     * shared helpers such as kcases.py), the arguments and the interop Python's path: one generation per checkout
     * and change, shared by every test class (and test JVM) that reads the same cases. A cached folder is complete or
     * absent: the script writes into a temporary sibling that is renamed when it succeeds.
     */
    public static synchronized Path fixture(String script, long timeoutSeconds, String... args) {
        Path py = python(); // the real-Keras Python must be there (fails, never skips), even with cached output
        Path scripts = Path.of("src/test/python").toAbsolutePath();
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            List<Path> files;
            try (var s = Files.list(scripts)) {
                files = s.filter(f -> f.toString().endsWith(".py")).sorted().toList();
            }
            for (Path f : files) {
                md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                md.update(Files.readAllBytes(f));
            }
            md.update(String.join("\0", args).getBytes(StandardCharsets.UTF_8));
            md.update(py.toString().getBytes(StandardCharsets.UTF_8));
            String hash = java.util.HexFormat.of().formatHex(md.digest()).substring(0, 16);
            Path root = Path.of("target", "interop").toAbsolutePath();
            Path out = root.resolve(script.replaceAll("\\.py$", "") + "-" + hash);
            if (Files.isDirectory(out)) return out;
            Files.createDirectories(root);
            Path tmp = Files.createTempDirectory(root, out.getFileName() + ".tmp");
            List<String> cmd = new ArrayList<>(List.of(scripts.resolve(script).toString(), tmp.toString()));
            cmd.addAll(List.of(args));
            runPython(root, timeoutSeconds, cmd.toArray(String[]::new));
            try {
                Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) { // another test JVM finished first: its folder is the same computation
                if (!Files.isDirectory(out)) throw raced;
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs a Python script with the interop venv; fails the test with its output when it fails. */
    public static String runPython(Path workDir, long timeoutSeconds, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(python().toString());
        cmd.addAll(List.of(args));
        try {
            Path log = Files.createTempFile("kerasport-py", ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "3");
            pb.environment().put("CUDA_VISIBLE_DEVICES", "");
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("python timed out after " + timeoutSeconds + " s: " + cmd);
            }
            String output = Files.readString(log);
            Files.deleteIfExists(log);
            if (p.exitValue() != 0) fail("python failed (" + p.exitValue() + "): " + cmd + "\n" + output);
            return output;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
