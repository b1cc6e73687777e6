import java.nio.file.Path;
import java.util.Arrays;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.Dl4jModel;
import org.kerasport.format.ReadOptions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Serving latency through the Java API, the JVM production case: Dl4jModel.load once, then one row at a time through
 * the graph's output, warm (WARM calls first, untimed), CALLS timed calls, each on the next row of X.npy (cycling).
 * Prints "median_ms=... p99_ms=... calls=N".
 * Usage: java ... ServingBench MODEL X.npy [CALLS (200)] [WARM (50)]
 */
public class ServingBench {
    public static void main(String[] args) throws Exception {
        Dl4jModel model = Dl4jModel.load(Path.of(args[0]), ReadOptions.defaults());
        NdArray x = Npy.read(Path.of(args[1]));
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 200, warm = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        long[] shape = x.shape().clone();
        int rows = (int) shape[0];
        shape[0] = 1;
        int per = (int) (x.data().length / rows);
        INDArray[] one = new INDArray[rows];
        for (int r = 0; r < rows; r++)
            one[r] = Nd4j.create(Arrays.copyOfRange(x.data(), r * per, (r + 1) * per), shape);
        double[] ms = new double[calls];
        for (int i = 0; i < warm + calls; i++) {
            long t0 = System.nanoTime();
            INDArray[] y = model.graph().output(false, one[i % rows]);
            if (y[0].getDouble(0) == Double.MIN_VALUE) System.out.print(""); // keep the result live
            if (i >= warm) ms[i - warm] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("median_ms=%.3f p99_ms=%.3f calls=%d%n", ms[calls / 2], ms[(int) Math.ceil(calls * 0.99) - 1], calls);
    }
}
