package org.kerasport.format.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Shared helpers of the HDF5 tests: the real-Keras corpus, the interop python (h5py, numpy, keras). */
final class Hdf5TestSupport {
    /** Python's json.dumps writes NaN/Infinity/-Infinity for non-finite floats. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private Hdf5TestSupport() {
    }

    /** The shared directory ({@code kerasport.shared}, default /work/shared). */
    static Path shared() {
        return org.kerasport.TestSupport.shared();
    }

    /** A file of the real-Keras corpus, read in place; fails if it is missing. */
    static Path corpus(String relPath) {
        Path p = shared().resolve("keras-corpus").resolve(relPath);
        assertTrue(Files.isRegularFile(p), "corpus file missing: " + p);
        return p;
    }

    /** The interop python; the test fails (never skips) if it is missing. */
    static Path python() {
        org.kerasport.TestSupport.python(); // the unit-tier guard
        Path p = Path.of(System.getProperty("kerasport.python",
                System.getProperty("user.home") + "/.cache/kerasport/venv/bin/python"));
        if (!Files.isExecutable(p)) fail("interop python not found at " + p + " (set -Dkerasport.python, see scripts/ensure-venv)");
        return p;
    }

    /**
     * Runs a python script with the given arguments and parses its last stdout line as JSON. Fails with the
     * script's stderr if it exits non-zero.
     */
    static JsonNode runPython(String script, String... args) {
        try {
            Path file = Files.createTempFile("kerasport-hdf5-", ".py");
            try {
                Files.writeString(file, script);
                List<String> cmd = new java.util.ArrayList<>(List.of(python().toString(), file.toString()));
                cmd.addAll(List.of(args));
                ProcessBuilder pb = new ProcessBuilder(cmd);
                pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "3");
                pb.environment().put("PYTHONIOENCODING", "utf-8");
                Path err = Files.createTempFile("kerasport-hdf5-", ".err");
                pb.redirectError(err.toFile());
                Process proc = pb.start();
                byte[] out = proc.getInputStream().readAllBytes();
                if (!proc.waitFor(120, TimeUnit.SECONDS)) {
                    proc.destroyForcibly();
                    fail("python timed out");
                }
                String stderr = Files.readString(err);
                Files.deleteIfExists(err);
                assertEquals(0, proc.exitValue(), () -> "python failed:\n" + stderr);
                String text = new String(out, StandardCharsets.UTF_8).strip();
                return JSON.readTree(text.substring(text.lastIndexOf('\n') + 1));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run python: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** SHA-256 of float32 values as little-endian bytes, to compare with numpy's {@code astype('<f4').tobytes()}. */
    static String sha256(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The strings of a JSON array. */
    static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The longs of a JSON array. */
    static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asLong();
        return out;
    }
}
