package org.kerasport.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The process-wide JavaCPP settings Kerasport makes before any native library loads (ND4J's and HDF5's both load
 * through JavaCPP, which reads its settings once, when its first class loads): which ND4J build to load, and JavaCPP's
 * resident-size check off, and which OpenBLAS kernel runs. Here rather than in {@link org.kerasport.dl4j.runtime.Backend},
 * which documents the choices, so that the HDF5 reader can make them without depending on the DL4J layer.
 *
 * <p><b>The BLAS kernel.</b> ND4J 1.0.0-M2.1 bundles OpenBLAS 0.3.19, built for every x86-64 kernel
 * (DYNAMIC_ARCH), which picks its kernel by CPU family and model when it loads: on a model it does not know (an Intel
 * Xeon of model 207, AVX-512) it falls back to its generic SSE3 kernel (Prescott), about half as fast, with other
 * float results (docs: PERFORMANCE_NOTES.md). OpenBLAS honours the environment variable {@code OPENBLAS_CORETYPE},
 * read once by each copy of the library when it loads (ND4J loads two: libopenblas.so.0 for its native code and
 * libopenblas_nolapack.so.0 for its Java-side BLAS calls). {@link #configure()} therefore chooses the kernel from the
 * instruction set in /proc/cpuinfo ({@link #blasCoreFor}) and puts it in the process's environment with the C
 * library's {@code setenv} (through JNA, which DL4J already brings) before ND4J loads; {@code bin/kerasport} exports
 * the same choice before the JVM starts. A user's own {@code OPENBLAS_CORETYPE} (environment) or
 * {@code -Dkerasport.openblas.coretype=NAME} wins; {@code -Dkerasport.openblas.coretype=auto} leaves OpenBLAS to choose
 * by CPU model. {@link #blasKernel()} reports the kernel that runs.
 */
public final class NativeSetup {
    /** The system property choosing the native build: "stock" or "auto" (the default; also KERASPORT_NATIVE). */
    public static final String PROPERTY = "kerasport.native";
    private static final String EXTENSION = "org.bytedeco.javacpp.platform.extension";
    private static final String MAX_PHYSICAL = "org.bytedeco.javacpp.maxPhysicalBytes";
    private static final String ONEDNN_AVX512 = "-onednn-avx512", ONEDNN_AVX2 = "-onednn-avx2";
    /** The system property naming the OpenBLAS kernel ({@code OPENBLAS_CORETYPE} value, or "auto" for OpenBLAS's own choice). */
    public static final String CORETYPE_PROPERTY = "kerasport.openblas.coretype";
    private static boolean configured;
    /** How the OpenBLAS kernel was chosen (for reports). */
    private static String coreChoice = "not configured";

    private NativeSetup() {
    }

    /** "stock", "auto" (the default) or "onednn" (also the AVX2 oneDNN build on AVX2 CPUs). */
    public static String mode() {
        String m = System.getProperty(PROPERTY);
        if (m == null) m = System.getenv("KERASPORT_NATIVE");
        return m == null || m.isBlank() ? "auto" : m.strip().toLowerCase(Locale.ROOT);
    }

    /**
     * Chooses ND4J's native build and turns off JavaCPP's resident-size check; must run before ND4J or JavaCPP load
     * (through org.kerasport.dl4j.runtime.Backend.init(), the one entry point, which the CLI calls first thing; the
     * HDF5 reader calls it directly). Later calls do nothing.
     */
    public static synchronized void configure() {
        if (configured) return;
        configured = true;
        // JavaCPP reads the process's resident size (/proc/self/statm) on every native allocation it tracks, to start
        // a garbage collection when it passes this limit (default twice the heap limit): ND4J allocates a few such
        // buffers per operation, and on small models the reading was 14 % of a training step (bench/RESULTS.md).
        // Off unless the user set it; JavaCPP's own limit on the bytes it allocates (maxBytes) stays.
        if (System.getProperty(MAX_PHYSICAL) == null) System.setProperty(MAX_PHYSICAL, "0");
        chooseBlasKernel();
        if (System.getProperty(EXTENSION) != null) return; // the user's choice
        // JavaCPP would pick a oneDNN build by itself whenever its jar is present, whatever the CPU: always say which
        // build to load ("" is ND4J's default build)
        System.setProperty(EXTENSION, oneDnnBuild(cpuFlags()));
    }

    /**
     * The ND4J oneDNN build for a CPU with these flags whose jar is on the class path, by instruction set, never CPU
     * model: {@code -onednn-avx512} with AVX-512 F/CD/BW/DQ/VL; with {@link #mode()} "onednn" also
     * {@code -onednn-avx2} with AVX, AVX2, FMA and F16C (what ND4J's avx2 builds are compiled for); else "" (ND4J's
     * default build). The AVX2 build is opt-in: its oneDNN max-pooling gradient sends a tie's gradient elsewhere than
     * Keras (ConvInteropTest's maxpool_ties and relu_pool_ties: 0.001-0.01 off after one step) and its oneDNN LSTM
     * aborts the JVM (Kerasport keeps DL4J's LSTM loop there); it is faster on convolution models (README, Speed).
     */
    public static String oneDnnBuild(Set<String> flags) {
        String mode = mode();
        if (mode.equals("stock")) return "";
        if (flags.containsAll(AVX512) && present(ONEDNN_AVX512)) return ONEDNN_AVX512;
        if (mode.equals("onednn") && flags.containsAll(AVX2) && present(ONEDNN_AVX2)) return ONEDNN_AVX2;
        return "";
    }

    /** Whether this JVM runs (or will run) a oneDNN build ({@link #oneDnnBuild}). */
    public static boolean oneDnnExpected() {
        return !oneDnnBuild(cpuFlags()).isEmpty();
    }

    /** "AVX-512", "AVX2" or "" for the build {@link #configure} chose. */
    public static String oneDnnInstructionSet() {
        String ext = System.getProperty(EXTENSION, "");
        return ext.endsWith("avx512") ? "AVX-512" : ext.endsWith("avx2") ? "AVX2" : "";
    }

    private static boolean present(String extension) {
        return NativeSetup.class.getClassLoader()
                .getResource("org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64" + extension + "/libnd4jcpu.so") != null;
    }

    private static final Set<String> AVX2 = Set.of("avx", "avx2", "fma", "f16c");

    /** AVX-512 F, CD, BW, DQ and VL (what the avx512 builds of ND4J are compiled for), from /proc/cpuinfo. */
    public static boolean cpuHasAvx512() {
        return cpuFlags().containsAll(AVX512);
    }

    private static final Set<String> AVX512 = Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");

    /** The first processor's flags in /proc/cpuinfo (empty where there is none). */
    public static Set<String> cpuFlags() {
        String f = cpuinfo("flags");
        return f == null ? Set.of() : Set.of(f.trim().split("\\s+"));
    }

    /** The first processor's vendor_id in /proc/cpuinfo ("GenuineIntel", "AuthenticAMD", ...; "" where unknown). */
    public static String cpuVendor() {
        String v = cpuinfo("vendor_id");
        return v == null ? "" : v.trim();
    }

    private static String cpuinfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) return line.substring(colon + 1);
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /**
     * The OpenBLAS 0.3.19 kernel for an instruction set, whatever the CPU model: AVX-512 (F, CD, BW, DQ, VL) ->
     * SKYLAKEX; AVX2 and FMA -> ZEN on AMD, HASWELL elsewhere; AVX -> SANDYBRIDGE; null for older sets (OpenBLAS's
     * own choice, which knows every CPU older than its release). These are the kernels OpenBLAS itself picks for the
     * CPU models it knows of each kind; each uses only the instructions named, so it runs on any CPU that has them
     * (Linux lists avx512* and avx* flags only when the kernel saves those registers).
     */
    public static String blasCoreFor(Set<String> flags, String vendor) {
        if (flags.containsAll(AVX512)) return "SKYLAKEX";
        if (flags.contains("avx2") && flags.contains("fma")) return "AuthenticAMD".equals(vendor) || "HygonGenuine".equals(vendor) ? "ZEN" : "HASWELL";
        if (flags.contains("avx")) return "SANDYBRIDGE";
        return null;
    }

    /** The OpenBLAS kernel names that use no SIMD wider than SSE3: what a CPU with AVX should never run. */
    public static final Set<String> GENERIC_BLAS_CORES = Set.of("prescott", "core2", "penryn", "dunnington", "nehalem",
            "atom", "katmai", "coppermine", "northwood", "banias", "opteron", "opteron(sse3)", "barcelona", "bobcat", "unknown");

    private static void chooseBlasKernel() {
        String user = System.getenv("OPENBLAS_CORETYPE");
        if (user != null && !user.isBlank()) {
            coreChoice = "OPENBLAS_CORETYPE=" + user + ("launcher".equals(System.getenv("KERASPORT_OPENBLAS_CHOICE"))
                    ? " (chosen by bin/kerasport from the instruction set)" : " (set by the user)");
            return;
        }
        String asked = System.getProperty(CORETYPE_PROPERTY);
        String core, why = "chosen by Kerasport from the instruction set";
        if (asked != null && !asked.isBlank()) {
            why = "-D" + CORETYPE_PROPERTY;
            if (asked.strip().equalsIgnoreCase("auto")) {
                coreChoice = "OpenBLAS's own choice by CPU model (-D" + CORETYPE_PROPERTY + "=auto)";
                return;
            }
            core = asked.strip().toUpperCase(Locale.ROOT);
        } else {
            core = blasCoreFor(cpuFlags(), cpuVendor());
            if (core == null) {
                coreChoice = "OpenBLAS's own choice by CPU model (no AVX)";
                return;
            }
        }
        try {
            com.sun.jna.Function setenv = com.sun.jna.NativeLibrary.getProcess().getFunction("setenv");
            int rc = setenv.invokeInt(new Object[]{"OPENBLAS_CORETYPE", core, 1});
            coreChoice = rc == 0 ? "OPENBLAS_CORETYPE=" + core + " (" + why + ")"
                    : "OpenBLAS's own choice by CPU model (setenv failed)";
        } catch (Throwable t) { // no JNA, or no C library: OpenBLAS chooses by CPU model
            coreChoice = "OpenBLAS's own choice by CPU model (cannot set OPENBLAS_CORETYPE: " + t + ")";
        }
    }

    /** How the OpenBLAS kernel was chosen (after {@link #configure()}). */
    public static synchronized String blasKernelChoice() {
        return coreChoice;
    }

    /**
     * The kernel (openblas_get_corename) and build (openblas_get_config) of each OpenBLAS copy ND4J has loaded, keyed
     * by library file name; empty when ND4J has not loaded OpenBLAS (it does on its first array). Does not load ND4J.
     */
    public static Map<String, String> blasKernel() {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> loaded;
        try {
            loaded = org.bytedeco.javacpp.Loader.getLoadedLibraries();
        } catch (Throwable t) {
            return out;
        }
        for (Map.Entry<String, String> e : loaded.entrySet()) {
            String path = e.getValue();
            if (path == null) continue;
            String file = Path.of(path).getFileName().toString();
            if (!file.startsWith("libopenblas") || out.containsKey(file)) continue;
            try {
                var lib = com.sun.jna.NativeLibrary.getInstance(path);
                String core = lib.getFunction("openblas_get_corename").invokeString(new Object[0], false);
                String config = lib.getFunction("openblas_get_config").invokeString(new Object[0], false);
                out.put(file, core + "|" + config);
            } catch (Throwable t) {
                out.put(file, "unknown|" + t.getMessage());
            }
        }
        return out;
    }

    /** One line naming the BLAS library, its version and the kernel it runs, e.g. for {@code kerasport --version}. */
    public static String describeBlas() {
        Map<String, String> k = blasKernel();
        if (k.isEmpty()) return "BLAS not loaded";
        List<String> parts = new java.util.ArrayList<>();
        for (Map.Entry<String, String> e : k.entrySet()) {
            String[] cc = e.getValue().split("\\|", 2);
            parts.add(e.getKey() + ": kernel " + cc[0] + " (" + cc[1].trim() + ")");
        }
        return String.join("; ", parts) + "; " + blasKernelChoice();
    }
}
