package org.kerasport.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.dl4j.Dl4jModel;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.WeightSpec;

/**
 * {@code export} and {@code convert} killed with SIGKILL at random moments (a real process of the CLI, killed by the
 * operating system): the output file is either the previous one, intact, or the new one, complete, never a partial
 * file (writes go to a hidden temporary file beside the target, renamed over it when complete; a killed write can
 * leave that temporary file, never a broken target). The input is never touched.
 */
@Tag("unit")
class KilledWritesTest {
    @TempDir
    Path tmp;

    static final Path MODEL = Path.of("models/seed_mlp.keras").toAbsolutePath();

    private static Process cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void sameWeights(KerasModel a, KerasModel b) {
        for (LayerSpec l : a.layers())
            for (WeightSpec w : l.weights())
                assertTrue(java.util.Arrays.equals(w.data(), b.graph().layer(l.name()).orElseThrow().weight(w.name()).orElseThrow().data()),
                        l.name() + "/" + w.name());
    }

    /** Kills {@code args} after a random delay, {@code rounds} times, and checks the target after each. */
    private void killRepeatedly(Path target, Runnable check, String... args) throws Exception {
        byte[] input = Files.readAllBytes(MODEL);
        Random r = new Random(20261207);
        for (int i = 0; i < 4; i++) {
            Process p = cli(args);
            Thread.sleep(200 + r.nextInt(2500));
            p.destroyForcibly(); // SIGKILL
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            check.run();
        }
        assertTrue(java.util.Arrays.equals(input, Files.readAllBytes(MODEL)), "the input is untouched");
    }

    @Test
    void killedExportLeavesThePreviousOrTheNewFile() throws Exception {
        Path out = tmp.resolve("out.keras");
        assertEquals(0, TestSupport.cli("export", MODEL.toString(), "-o", out.toString()).code());
        KerasModel before = KerasReader.read(out);
        killRepeatedly(out, () -> sameWeights(before, KerasReader.read(out)), "export", MODEL.toString(), "-o", out.toString(), "--force");
    }

    @Test
    void killedConvertLeavesThePreviousOrTheNewFile() throws Exception {
        Path out = tmp.resolve("out.zip");
        assertEquals(0, TestSupport.cli("convert", MODEL.toString(), "-o", out.toString()).code());
        org.nd4j.linalg.api.ndarray.INDArray before = Dl4jModel.load(out, org.kerasport.format.ReadOptions.defaults()).graph().params().dup();
        killRepeatedly(out, () -> assertEquals(before, Dl4jModel.load(out, org.kerasport.format.ReadOptions.defaults()).graph().params()),
                "convert", MODEL.toString(), "-o", out.toString(), "--force");
    }
}
