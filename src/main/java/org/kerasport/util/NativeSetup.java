package org.kerasport.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * The process-wide JavaCPP settings Kerasport makes before any native library loads (ND4J's and HDF5's both load
 * through JavaCPP, which reads its settings once, when its first class loads): which ND4J build to load, and JavaCPP's
 * resident-size check off. Here rather than in {@link org.kerasport.dl4j.FastPaths}, which documents the choices, so
 * that the HDF5 reader can make them without depending on the DL4J layer.
 */
public final class NativeSetup {
    /** The system property choosing the native build: "stock" or "auto" (the default; also KERASPORT_NATIVE). */
    public static final String PROPERTY = "kerasport.native";
    private static final String EXTENSION = "org.bytedeco.javacpp.platform.extension";
    private static final String MAX_PHYSICAL = "org.bytedeco.javacpp.maxPhysicalBytes";
    private static final String ONEDNN = "-onednn-avx512";
    private static final String ONEDNN_LIB = "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64" + ONEDNN + "/libnd4jcpu.so";
    private static boolean configured;

    private NativeSetup() {
    }

    /** "stock" or "auto" (the default). */
    public static String mode() {
        String m = System.getProperty(PROPERTY);
        if (m == null) m = System.getenv("KERASPORT_NATIVE");
        return m == null || m.isBlank() ? "auto" : m.strip().toLowerCase(Locale.ROOT);
    }

    /**
     * Chooses ND4J's native build and turns off JavaCPP's resident-size check; must run before ND4J or JavaCPP load
     * (Kerasport's entry points call it from their static initializers, the CLI first thing). Later calls do nothing.
     */
    public static synchronized void configure() {
        if (configured) return;
        configured = true;
        // JavaCPP reads the process's resident size (/proc/self/statm) on every native allocation it tracks, to start
        // a garbage collection when it passes this limit (default twice the heap limit): ND4J allocates a few such
        // buffers per operation, and on small models the reading was 14 % of a training step (bench/RESULTS.md).
        // Off unless the user set it; JavaCPP's own limit on the bytes it allocates (maxBytes) stays.
        if (System.getProperty(MAX_PHYSICAL) == null) System.setProperty(MAX_PHYSICAL, "0");
        if (System.getProperty(EXTENSION) != null) return; // the user's choice
        // JavaCPP would pick the oneDNN AVX-512 build by itself whenever its jar is present, whatever the CPU:
        // always say which build to load ("" is ND4J's default build)
        boolean fast = !mode().equals("stock") && cpuHasAvx512() && NativeSetup.class.getClassLoader().getResource(ONEDNN_LIB) != null;
        System.setProperty(EXTENSION, fast ? ONEDNN : "");
    }

    /** AVX-512 F, CD, BW, DQ and VL (what the avx512 builds of ND4J are compiled for), from /proc/cpuinfo. */
    public static boolean cpuHasAvx512() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (!line.startsWith("flags")) continue;
                Set<String> flags = Set.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                return flags.containsAll(Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"));
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
