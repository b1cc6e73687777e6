package org.kerasport.dl4j;

import org.kerasport.dl4j.runtime.Backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kernel variants of {@code scripts/test --kernels} really run: the variable reaches the forked test JVM
 * (surefire passes Maven's environment on), and OpenBLAS honours it in a process that loads ND4J as Kerasport does.
 * Without a variant (a plain run) these checks have nothing to check and are skipped.
 */
@Tag("unit")
@Tag("trajectory")
class KernelChoiceTest {
    /** "VAR=VALUE", set by scripts/test --kernels for each variant. */
    static final String VARIANT = System.getProperty("kerasport.kernels", "");

    @Test
    void theVariantsVariableReachedThisJvm() {
        assumeTrue(VARIANT.contains("="), "not a scripts/test --kernels run");
        String var = VARIANT.substring(0, VARIANT.indexOf('=')), value = VARIANT.substring(VARIANT.indexOf('=') + 1);
        assertEquals(value, System.getenv(var), var + " in the test JVM's environment");
        if (var.equals("KERASPORT_NATIVE") && value.equals("stock")) {
            Backend.init();
            org.nd4j.linalg.factory.Nd4j.create(1);
            assertFalse(Backend.oneDnn(), "KERASPORT_NATIVE=stock loads ND4J's default build: " + Backend.describe());
        }
    }

    /** OPENBLAS_CORETYPE: OpenBLAS reports the forced core (OPENBLAS_VERBOSE=2) in a JVM that runs a matrix product. */
    @Test
    void openBlasRunsTheForcedCoreType() throws Exception {
        String core = System.getenv("OPENBLAS_CORETYPE");
        assumeTrue(core != null && !core.isEmpty(), "OPENBLAS_CORETYPE is not set");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"), Gemm.class.getName())
                .redirectErrorStream(true);
        pb.environment().put("OPENBLAS_VERBOSE", "2");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe hung");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.toLowerCase(java.util.Locale.ROOT).contains("core: " + core.toLowerCase(java.util.Locale.ROOT)), out);
        assertTrue(out.contains("gemm ok"), out);
    }

    /** Loads ND4J as Kerasport does and multiplies two matrices (OpenBLAS sgemm). */
    public static final class Gemm {
        public static void main(String[] a) {
            Backend.init();
            var x = org.nd4j.linalg.factory.Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 64, 64);
            double s = x.mmul(x).sumNumber().doubleValue();
            if (s != 64.0 * 64 * 64) throw new AssertionError("sgemm gave " + s);
            System.out.println("gemm ok");
        }
    }
}
