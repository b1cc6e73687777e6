import java.nio.file.Path;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.format.KerasReader;
import org.kerasport.format.ReadOptions;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One job on one model, timed after ND4J is up: `kerasport` (read + map onto DL4J + copy the weights), `dl4j`
 * (DL4J 1.0.0-M2.1's own KerasModelImport.importKerasModelAndWeights, functional then sequential API), or `export`
 * (read + write a Keras 3 .keras file: the upgrade path).
 * Prints "ms=<time>" or "error=<message>". Peak memory is measured around the whole process by bench/import.sh.
 * Usage: java ... ImportBench kerasport|dl4j FILE [ARCH.json]
 */
public class ImportBench {
    public static void main(String[] args) {
        org.kerasport.dl4j.runtime.Backend.init(); // Kerasport's native choices, before ND4J loads
        Nd4j.create(1); // start the backend outside the timed part
        Path file = Path.of(args[1]);
        long t0 = System.nanoTime();
        try {
            if (args[0].equals("export")) {
                var km = KerasReader.read(file, ReadOptions.defaults());
                java.nio.file.Path out = java.nio.file.Files.createTempFile("bench", ".keras");
                new org.kerasport.format.KerasWriter(km, new org.kerasport.format.KerasWriter.Provenance("bench", null, false))
                        .write(out, org.kerasport.format.KerasWriter.Form.KERAS, true);
                java.nio.file.Files.delete(out);
            } else if (args[0].equals("kerasport")) {
                ReadOptions o = ReadOptions.defaults().lenient(false);
                if (args.length > 2) o = o.withCompanion(Path.of(args[2]));
                Dl4jImporter.importModel(KerasReader.read(file, o), false);
            } else if (args.length > 2) {
                try {
                    KerasModelImport.importKerasModelAndWeights(args[2], args[1], false);
                } catch (Exception e) {
                    KerasModelImport.importKerasSequentialModelAndWeights(args[2], args[1], false);
                }
            } else {
                try {
                    KerasModelImport.importKerasModelAndWeights(args[1], false);
                } catch (Exception e) {
                    KerasModelImport.importKerasSequentialModelAndWeights(args[1], false);
                }
            }
            System.out.printf("ms=%.1f%n", (System.nanoTime() - t0) / 1e6);
        } catch (Throwable e) {
            String m = String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
            System.out.println("error=" + e.getClass().getSimpleName() + ": " + m.substring(0, Math.min(90, m.length())));
        }
        System.exit(0);
    }
}
