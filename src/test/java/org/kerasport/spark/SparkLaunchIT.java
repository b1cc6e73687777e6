package org.kerasport.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark tier, after packaging: the two ways a user starts a Spark run. {@code bin/kerasport finetune --spark
 * local[2]} (the launcher puts target/spark-lib on the class path with Spark's Java 17 flags; the CLI finds Spark by
 * name), and Spark's own {@code SparkSubmit} (what the spark-submit script runs) with the jar and
 * {@code --class org.kerasport.spark.SparkMain}, the master coming from {@code --master}. Both write the model and its
 * history; the history's losses are those of the same run made locally (the SparkFinetuneTest bound is far wider
 * than needed for 4 steps: here they must agree to 1e-6 relative).
 */
@Tag("spark")
class SparkLaunchIT {
    @TempDir
    Path tmp;

    @Test
    void launcherAndSparkSubmitRunFinetuneOnSpark() throws IOException, InterruptedException {
        List<String> common = List.of("models/seed_mlp.keras", "--data", "models/seed_mlp_train.npz", "--batch-size", "250", "--quiet");
        List<String> local = new ArrayList<>(List.of("bin/kerasport", "finetune"));
        local.addAll(common);
        local.addAll(List.of("-o", tmp.resolve("local.keras").toString()));
        run(local);
        List<String> launcher = new ArrayList<>(List.of("bin/kerasport", "finetune"));
        launcher.addAll(common);
        launcher.addAll(List.of("--spark", "local[2]", "-o", tmp.resolve("launcher.keras").toString()));
        run(launcher);

        List<String> submit = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String p : new String[]{"java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio", "java.util",
                "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref", "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar"})
            submit.add("--add-opens=java.base/" + p + "=ALL-UNNAMED");
        // a Spark installation's class path: Spark and what it logs with (target/lib's SLF4J, Jackson, commons)
        submit.addAll(List.of("-cp", "target/spark-lib/*" + File.pathSeparator + "target/lib/*", "org.apache.spark.deploy.SparkSubmit",
                "--master", "local[2]", "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.driver.bindAddress=127.0.0.1", "--class", "org.kerasport.spark.SparkMain", "target/kerasport.jar"));
        submit.addAll(common);
        submit.addAll(List.of("-o", tmp.resolve("submit.keras").toString()));
        run(submit);

        String want = Files.readString(tmp.resolve("local-history.csv"));
        for (String engine : new String[]{"launcher", "submit"}) {
            assertTrue(Files.size(tmp.resolve(engine + ".keras")) > 0, engine);
            String got = Files.readString(tmp.resolve(engine + "-history.csv"));
            double a = loss(want), b = loss(got);
            assertEquals(a, b, 1e-6 * Math.abs(a), engine + ": " + got);
        }
    }

    /** The loss column of the first epoch of a history CSV (epoch,accuracy,loss,...). */
    private static double loss(String csv) {
        String[] head = csv.lines().findFirst().orElseThrow().split(","), row = csv.lines().skip(1).findFirst().orElseThrow().split(",");
        return Double.parseDouble(row[List.of(head).indexOf("loss")]);
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Path log = Files.createTempFile("spark-launch", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), cmd + "\n" + out.lines().filter(l -> !l.startsWith("\tat ")).reduce("", (x, y) -> x + y + "\n"));
    }
}
