package org.kerasport.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark tier, after packaging: a real standalone cluster on loopback that the test starts (a master and two workers,
 * each a separate JVM, each worker launching its own executor JVM) and stops. {@code bin/kerasport finetune --spark
 * spark://127.0.0.1:PORT --spark-partitions 2} trains on it: the executors load ND4J, rebuild the graph from its
 * configuration and compute the partitions' gradients in their own processes; the history equals the local
 * command's (to 1e-6 relative: 4 steps, the SparkFinetuneTest bound being far wider).
 *
 * <p>The cluster's "Spark installation" is target/spark-lib plus the libraries Spark logs and serializes with from
 * target/lib, linked into a SPARK_HOME under the test's directory (a standalone worker builds its executors' class
 * path from SPARK_HOME/jars); the executors get Kerasport and DL4J through spark.executor.extraClassPath.
 */
@Tag("spark")
class SparkClusterIT {
    @TempDir
    Path tmp;

    @Test
    void finetuneOnAStandaloneClusterOfTwoWorkersEqualsLocal() throws IOException, InterruptedException {
        Path home = tmp.resolve("spark-home"), jars = home.resolve("jars");
        Files.createDirectories(jars);
        Files.writeString(home.resolve("RELEASE"), "Spark for SparkClusterIT\n");
        link(Path.of("target/spark-lib"), jars, "");
        for (String prefix : new String[]{"slf4j-", "jackson-", "commons-"}) link(Path.of("target/lib"), jars, prefix);
        Map<String, String> env = Map.of("SPARK_HOME", home.toString(), "SPARK_SCALA_VERSION", "2.12", "SPARK_LOCAL_IP", "127.0.0.1");
        int port = freePort();
        String master = "spark://127.0.0.1:" + port;
        List<Process> cluster = new ArrayList<>();
        try {
            cluster.add(start(env, tmp.resolve("master.log"), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    String.valueOf(port), "--webui-port", String.valueOf(freePort())));
            for (int w = 1; w <= 2; w++)
                cluster.add(start(env, tmp.resolve("worker" + w + ".log"), "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                        "--cores", "1", "--memory", "2g", "--webui-port", String.valueOf(freePort()), "--work-dir", tmp.resolve("work" + w).toString(), master));
            waitFor(tmp.resolve("master.log"), "Registering worker", 2, cluster);

            List<String> common = List.of("models/seed_mlp.keras", "--data", "models/seed_mlp_train.npz", "--batch-size", "250", "--quiet");
            List<String> local = new ArrayList<>(List.of("bin/kerasport", "finetune"));
            local.addAll(common);
            local.addAll(List.of("-o", tmp.resolve("local.keras").toString()));
            run(local, Map.of());
            List<String> spark = new ArrayList<>(List.of("bin/kerasport", "finetune"));
            spark.addAll(common);
            spark.addAll(List.of("--spark", master, "--spark-partitions", "2", "-o", tmp.resolve("cluster.keras").toString()));
            run(spark, Map.of("KERASPORT_JAVA_OPTS", "-Dspark.executor.extraClassPath=" + Path.of("target/kerasport.jar").toAbsolutePath()
                    + " -Dspark.executor.memory=1g -Dspark.cores.max=2"));
        } finally {
            for (Process p : cluster) p.destroy();
            for (Process p : cluster) if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        double want = loss(Files.readString(tmp.resolve("local-history.csv"))), got = loss(Files.readString(tmp.resolve("cluster-history.csv")));
        assertEquals(want, got, 1e-6 * Math.abs(want));
        assertTrue(Files.size(tmp.resolve("cluster.keras")) > 0);
        // the gradients were computed in the workers' executor JVMs (one per worker), not in the driver
        int executors = 0;
        for (int w = 1; w <= 2; w++)
            try (var s = Files.walk(tmp.resolve("work" + w))) {
                executors += (int) s.filter(f -> f.getFileName().toString().equals("stderr")).count();
            }
        assertTrue(executors >= 2, "executors started by the workers: " + executors);
    }

    private static void link(Path from, Path to, String prefix) throws IOException {
        try (DirectoryStream<Path> d = Files.newDirectoryStream(from, prefix + "*.jar")) {
            for (Path j : d) Files.createSymbolicLink(to.resolve(j.getFileName()), j.toAbsolutePath());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Process start(Map<String, String> env, Path log, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", env.get("SPARK_HOME") + "/jars/*", main));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static void waitFor(Path log, String line, int times, List<Process> cluster) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).split(line, -1).length - 1 >= times) return;
            for (Process p : cluster) if (!p.isAlive()) throw new AssertionError("a cluster process exited: " + Files.readString(log));
            Thread.sleep(500);
        }
        throw new AssertionError("the cluster did not start: " + Files.readString(log));
    }

    /** The loss column of the first epoch of a history CSV. */
    private static double loss(String csv) {
        String[] head = csv.lines().findFirst().orElseThrow().split(","), row = csv.lines().skip(1).findFirst().orElseThrow().split(",");
        return Double.parseDouble(row[List.of(head).indexOf("loss")]);
    }

    private static void run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        Path log = Files.createTempFile("spark-cluster", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), cmd + "\n" + out.lines().filter(l -> !l.startsWith("\tat ")).reduce("", (x, y) -> x + y + "\n"));
    }
}
