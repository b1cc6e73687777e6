package org.kerasport;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.kerasport.util.NativeSetup;

/**
 * Makes Kerasport's process-wide native choices ({@link NativeSetup#configure()}) when a test JVM's JUnit session
 * opens, before any test class loads ND4J. Tests that build DL4J models themselves would otherwise let JavaCPP load
 * whichever ND4J build it finds first on the class path — the oneDNN AVX-512 one, which dies with SIGILL on a CPU
 * without AVX-512 — depending on which test class happened to run first. Registered in
 * META-INF/services/org.junit.platform.launcher.LauncherSessionListener.
 */
public final class NativeSetupListener implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NativeSetup.configure();
    }
}
