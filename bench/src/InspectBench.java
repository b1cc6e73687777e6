import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.kerasport.cli.Main;

/**
 * Time of `kerasport inspect --json` per corpus model, measured inside one JVM after start-up:
 * the first call (cold: class loading, HDF5 native library load) and the median of 5 warm calls.
 * Usage: java -cp target/classes:target/lib/*:bench/classes InspectBench ../shared/keras-corpus
 */
public class InspectBench {
    public static void main(String[] args) throws Exception {
        Path corpus = Path.of(args.length > 0 ? args[0] : "../shared/keras-corpus");
        List<String> lines = Files.readAllLines(corpus.resolve("MANIFEST.tsv"));
        System.out.printf("%-88s %10s %10s %10s%n", "model", "bytes", "first ms", "warm ms");
        double worstFirst = 0, worstWarm = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            String format = f[8];
            List<String> a = new ArrayList<>(List.of("inspect", corpus.resolve(f[0]).toString(), "--json", "--lenient"));
            if (format.startsWith("weights-h5+json-arch:")) {
                a.add("--arch");
                a.add(corpus.resolve(f[0]).resolveSibling(format.substring(format.indexOf(':') + 1)).toString());
            } else if (!format.equals("keras-h5-full") && !format.equals("keras-v3-zip")) continue;
            String[] argv = a.toArray(new String[0]);
            double first = time(argv);
            double[] warm = new double[5];
            for (int i = 0; i < warm.length; i++) warm[i] = time(argv);
            Arrays.sort(warm);
            worstFirst = Math.max(worstFirst, first);
            worstWarm = Math.max(worstWarm, warm[2]);
            System.out.printf("%-88s %10d %10.1f %10.1f%n", f[0], Files.size(corpus.resolve(f[0])), first, warm[2]);
        }
        System.out.printf("worst first call %.1f ms, worst warm median %.1f ms%n", worstFirst, worstWarm);
    }

    static double time(String[] argv) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        long t0 = System.nanoTime();
        int code = Main.run(argv, sink, sink);
        double ms = (System.nanoTime() - t0) / 1e6;
        if (code != 0) throw new IllegalStateException("inspect failed for " + String.join(" ", argv));
        return ms;
    }
}
