package org.kerasport.dl4j.runtime;

import org.kerasport.util.NativeSetup;

/**
 * The native backend: which ND4J build runs, and the fast native paths Kerasport turns on with it, each one proven
 * against real Keras by the trajectory tests (docs: bench/RESULTS.md, "Faster defaults").
 *
 * <ul>
 *   <li><b>ND4J's oneDNN build</b> ({@code nd4j-native} classifier {@code linux-x86_64-onednn-avx512}) is chosen
 *       before ND4J loads on a CPU with AVX-512; {@code linux-x86_64-onednn-avx2} on AVX2 CPUs when asked for
 *       ({@code KERASPORT_NATIVE=onednn}; {@link NativeSetup#oneDnnBuild}; {@link #init()}).</li>
 *   <li><b>Channels-last convolutions through ND4J's oneDNN ops</b> (the default, {@link #nhwcOps()}): Keras'
 *       Conv2D layers stay NHWC and KerasConvolution2DImpl calls ND4J's
 *       {@code conv2d}/{@code conv2d_bp} itself on contiguous arrays (given strided views, the NHWC op computes wrong
 *       values, which is how DL4J's own NHWC oneDNN helper gets wrong gradients: it never gets one); poolings run
 *       DL4J's NHWC path, whose ND4J ops use oneDNN in this build. A convolution reading the network input computes
 *       only its weight gradient.</li>
 *   <li><b>{@code -Dkerasport.conv=nchw}</b>: the previous default, 2-D convolutions and poolings channels-first
 *       (the importer's MappingContext; weights are unaffected: DL4J keeps [out, in, kh, kw] either
 *       way) with DL4J's oneDNN helpers attached (org.kerasport.dl4j.GraphPasses). DL4J's helpers are off by default and,
 *       in 1.0.0-M2.1, never switch on (they look up a class that no longer exists); no NHWC layer,
 *       BatchNormalization, dilated convolution (refused by ND4J's oneDNN op) or average pooling with padding ever
 *       gets one.</li>
 * </ul>
 *
 * <p>{@code -Dkerasport.native=stock} (or the environment variable {@code KERASPORT_NATIVE=stock}) loads ND4J's
 * default build and keeps every layer channels-last; so does a CPU without AVX-512 unless KERASPORT_NATIVE=onednn. An explicit
 * {@code -Dorg.bytedeco.javacpp.platform.extension} is left alone.
 *
 * <p>This class is a leaf: it reads the CPU and the settings, and uses nothing else of Kerasport's but
 * {@link NativeSetup}. Per-layer runtime flags that follow from these choices are set by the graph passes
 * (org.kerasport.dl4j.GraphPasses).
 */
public final class Backend {
    private static Boolean oneDnn;

    private Backend() {
    }

    /**
     * The one initialization entry point: chooses ND4J's native build, turns off JavaCPP's resident-size check and
     * picks the OpenBLAS kernel ({@link NativeSetup#configure}). It must run before anything loads ND4J or JavaCPP: the
     * CLI calls it first thing, reading a Keras file (the HDF5 reader) calls it, and a program that builds or restores
     * DL4J models before reading any Keras file calls it first. Later calls do nothing.
     */
    public static void init() {
        NativeSetup.configure();
    }

    /** True when ND4J runs its oneDNN build with helpers allowed (this loads ND4J). */
    public static synchronized boolean oneDnn() {
        if (oneDnn == null) {
            init();
            boolean on;
            try {
                // the build's own list of features (isUseONEDNN() is true in the default build as well)
                on = !NativeSetup.mode().equals("stock")
                        && org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo().contains("HAVE_ONEDNN")
                        && org.nd4j.linalg.factory.Nd4j.getEnvironment().helpersAllowed();
            } catch (Throwable t) { // another backend, or no native library
                on = false;
            }
            oneDnn = on;
        }
        return oneDnn;
    }

    /** Whether the importer runs 2-D convolutions and poolings channels-first: only where that is the fast path. */
    public static boolean channelsFirst() {
        return oneDnn() && !nhwcOps();
    }

    /**
     * Whether channels-last Conv2D layers call ND4J's oneDNN conv2d/conv2d_bp themselves on contiguous arrays (the
     * default with the oneDNN build) instead of running channels-first with DL4J's helper ({@code -Dkerasport.conv=nchw}).
     */
    public static boolean nhwcOps() {
        return oneDnn() && !"nchw".equals(System.getProperty("kerasport.conv"));
    }

    /**
     * The OpenBLAS library ND4J calls, its version and the kernel each loaded copy runs ({@link NativeSetup#describeBlas});
     * loads ND4J and its Java-side BLAS (which it would load at its first matrix product anyway).
     */
    public static String describeBlas() {
        init();
        try {
            org.nd4j.linalg.factory.Nd4j.getExecutioner();
            org.bytedeco.javacpp.Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
        } catch (Throwable t) {
            return "BLAS unknown (" + t + ")";
        }
        return NativeSetup.describeBlas();
    }

    /** A one-line description of the native paths in use, for reports and `--version`. */
    public static String describe() {
        init();
        String blas;
        try {
            blas = String.valueOf(org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation().get("blas.vendor"));
        } catch (Throwable t) {
            blas = "unknown";
        }
        String isa = NativeSetup.oneDnnInstructionSet();
        return oneDnn() ? "ND4J oneDNN build (" + (isa.isEmpty() ? "chosen by you" : isa) + "), BLAS " + blas
                + (nhwcOps() ? ", 2-D convolutions channels-last through ND4J's oneDNN ops" : ", 2-D convolutions and pooling channels-first with DL4J's oneDNN helpers")
                : "ND4J default build, BLAS " + blas + ", no oneDNN";
    }
}
