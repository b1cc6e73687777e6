package org.kerasport.util;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * OpenBLAS runs the kernel of the CPU's instruction set whatever the CPU model (NativeSetup: the bundled OpenBLAS
 * 0.3.19 falls back to its generic SSE3 kernel on models it does not know). Each check runs in a fresh JVM, as a user's
 * program starts, without the caller's OPENBLAS_CORETYPE, because OpenBLAS reads its kernel once, when ND4J loads it,
 * and another test of this JVM may have loaded ND4J first.
 */
@Tag("unit")
class BlasKernelTest {
    /** The kernels that use AVX-512 / at least AVX2 (OpenBLAS 0.3.19's names, lower case). */
    private static final Set<String> AVX512_CORES = Set.of("skylakex", "cooperlake", "sapphirerapids");
    private static final Set<String> AVX2_CORES = Set.of("haswell", "zen", "skylakex", "cooperlake", "sapphirerapids");

    /** Trains nothing: reads the sample model, imports it for training and multiplies two matrices, then prints the kernels. */
    public static final class Probe {
        public static void main(String[] a) {
            var km = org.kerasport.format.KerasReader.read(Path.of("models/seed_mlp.keras"));
            org.kerasport.dl4j.Dl4jImporter.importForTraining(km, false);
            var x = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 64, 64);
            x.mmul(x); // ND4J's Java-side BLAS (libopenblas_nolapack) loads at its first product
            for (Map.Entry<String, String> e : NativeSetup.blasKernel().entrySet())
                System.out.println("kernel " + e.getKey() + " " + e.getValue().split("\\|")[0]);
            System.out.println("choice " + NativeSetup.blasKernelChoice());
        }
    }

    /** The kernel of each OpenBLAS copy a fresh JVM running {@link Probe} loads, keyed by library file name. */
    private static Map<String, String> kernels(String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("OPENBLAS_CORETYPE");
        pb.environment().remove("KERASPORT_OPENBLAS_CHOICE");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Map<String, String> k = new java.util.TreeMap<>();
        for (String line : out.split("\n"))
            if (line.startsWith("kernel ")) k.put(line.split(" ")[1], line.split(" ")[2].strip().toLowerCase(Locale.ROOT));
        // ND4J loads two copies: libopenblas.so.0 (its native code) and libopenblas_nolapack.so.0 (its Java-side BLAS)
        assertEquals(Set.of("libopenblas.so.0", "libopenblas_nolapack.so.0"), k.keySet(), out);
        return k;
    }

    /**
     * The test of issue 16: an AVX-512 or AVX2 machine never runs a generic kernel through the Java API. Checked against
     * /proc/cpuinfo's flags, so it holds on AMD Zen (here: Zen) and on Intel AVX-512 machines (SkylakeX), whose models
     * OpenBLAS 0.3.19 may not know.
     */
    @Test
    void anAvxMachineRunsTheKernelOfItsInstructionSet() throws Exception {
        Set<String> flags = NativeSetup.cpuFlags();
        Map<String, String> k = kernels();
        String expected = NativeSetup.blasCoreFor(flags, NativeSetup.cpuVendor());
        for (Map.Entry<String, String> e : k.entrySet()) {
            String core = e.getValue();
            if (flags.contains("avx")) assertFalse(NativeSetup.GENERIC_BLAS_CORES.contains(core), e + " runs a generic kernel on an AVX CPU");
            if (flags.contains("avx2") && flags.contains("fma")) assertTrue(AVX2_CORES.contains(core), e + " is not an AVX2 kernel on an AVX2 CPU");
            if (flags.containsAll(Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl")))
                assertTrue(AVX512_CORES.contains(core), e + " is not an AVX-512 kernel on an AVX-512 CPU");
            if (expected != null) assertEquals(expected.toLowerCase(Locale.ROOT), core, e + ": Kerasport's choice for this instruction set");
        }
    }

    /**
     * The Java API really sets the kernel before OpenBLAS loads (a JVM cannot change its own environment): asked for the
     * AVX (Sandy Bridge) kernel, which OpenBLAS never picks by itself on an AVX2 CPU, both copies run it.
     */
    @Test
    void theJavaApiSetsTheKernelBeforeOpenBlasLoads() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(NativeSetup.cpuFlags().contains("avx"), "needs a CPU with AVX");
        Map<String, String> k = kernels("-D" + NativeSetup.CORETYPE_PROPERTY + "=SANDYBRIDGE");
        assertEquals(Set.of("sandybridge"), Set.copyOf(k.values()), k.toString());
    }

    @Test
    void theKernelFollowsTheInstructionSetNotTheModel() {
        Set<String> avx512 = Set.of("sse3", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
        assertEquals("SKYLAKEX", NativeSetup.blasCoreFor(avx512, "GenuineIntel"));
        assertEquals("SKYLAKEX", NativeSetup.blasCoreFor(avx512, "AuthenticAMD"), "Zen 4 has AVX-512");
        Set<String> avx2 = Set.of("sse3", "avx", "avx2", "fma");
        assertEquals("HASWELL", NativeSetup.blasCoreFor(avx2, "GenuineIntel"));
        assertEquals("ZEN", NativeSetup.blasCoreFor(avx2, "AuthenticAMD"));
        assertEquals("HASWELL", NativeSetup.blasCoreFor(Set.of("avx", "avx2", "fma", "avx512f"), "GenuineIntel"), "AVX-512 F alone is not SkylakeX's set");
        assertEquals("SANDYBRIDGE", NativeSetup.blasCoreFor(Set.of("sse3", "avx"), "GenuineIntel"));
        assertEquals("SANDYBRIDGE", NativeSetup.blasCoreFor(Set.of("avx", "avx2"), "GenuineIntel"), "AVX2 without FMA");
        assertNull(NativeSetup.blasCoreFor(Set.of("sse3", "ssse3", "sse4_2"), "GenuineIntel"), "older sets: OpenBLAS's own choice");
    }
}
