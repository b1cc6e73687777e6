package org.kerasport.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.kerasport.KerasportException;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.Dl4jModel;
import org.kerasport.format.KerasConfigUpgrader;
import org.kerasport.format.KerasReader;
import org.kerasport.format.ReadOptions;
import org.kerasport.format.hdf5.Hdf5File;
import org.kerasport.format.hdf5.Hdf5Group;
import org.kerasport.model.KerasModel;
import org.kerasport.train.data.DataSources;
import org.kerasport.train.data.ModelSignature;

/**
 * The fuzz targets of {@link ReaderFuzzTest}, one per reader, shared with its seed tests. Each writes the input to a
 * file (the readers take files, as the command line gives them) and reads it. The invariant: an input either reads
 * or the reader throws a {@link KerasportException} (each subclass maps to a documented exit code); anything else
 * escapes to the caller (Jazzer reports it as a finding: RuntimeException, Error, OutOfMemoryError, a timeout).
 */
final class FuzzTargets {
    /** One scratch directory per JVM (fuzzing runs one target per JVM; the seed tests run one at a time). */
    private static final Path SCRATCH;

    static {
        // scripts/fuzz runs the targets outside JUnit (no NativeSetupListener): choose ND4J's build before it loads
        org.kerasport.util.NativeSetup.configure();
        try {
            Path shm = Path.of("/dev/shm");
            SCRATCH = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "kerasport-fuzz") : Files.createTempDirectory("kerasport-fuzz");
            SCRATCH.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A single-input, single-output model of unknown shapes: the data readers read, the shape checks are skipped. */
    static final ModelSignature ANY_SHAPE = new ModelSignature(List.of("x"), java.util.Collections.singletonList(null),
            List.of("y"), java.util.Collections.singletonList(null), Map.of("y", "mean_squared_error"));

    private FuzzTargets() {
    }

    static Path write(byte[] data, String name) {
        Path p = SCRATCH.resolve(name);
        try {
            Files.write(p, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Runs a reader: a Kerasport exception is a documented outcome, anything else propagates. */
    static void expectDocumented(Runnable r) {
        try {
            r.run();
        } catch (KerasportException expected) {
            // documented: each subclass maps to an exit code (cli.ExitCode)
        }
    }

    // ---- targets ----

    /** Legacy HDF5 model (Keras 1/2/tf.keras/Keras 3 .h5) through KerasReader, weights included. */
    static void hdf5Model(byte[] data) {
        Path p = write(data, "model.h5");
        expectDocumented(() -> KerasReader.read(p, ReadOptions.defaults().lenient(true)));
    }

    /** A .keras zip (SafeZip, config.json, model.weights.h5) through KerasReader. */
    static void kerasZip(byte[] data) {
        Path p = write(data, "model.keras");
        expectDocumented(() -> KerasReader.read(p, ReadOptions.defaults().lenient(true)));
    }

    /** A JSON architecture (Keras 1/2/3 dialects) through ConfigReader, then upgraded to Keras 3 form for export. */
    static void jsonConfig(byte[] data) {
        Path p = write(data, "model.json");
        expectDocumented(() -> {
            KerasModel m = KerasReader.read(p, ReadOptions.defaults().lenient(true));
            KerasConfigUpgrader u = new KerasConfigUpgrader(m);
            u.modelConfig();
            u.trainingConfig();
        });
    }

    /** A .npy array, as the first part of an X.npy,Y.npy pair and alone. */
    static void npy(byte[] data) {
        Path p = write(data, "x.npy");
        expectDocumented(() -> Npy.read(p));
        expectDocumented(() -> DataSources.load(p + "," + p, null, ANY_SHAPE));
    }

    /** An .npz archive: its keys, every array, and as training data (keys x and y). */
    static void npz(byte[] data) {
        Path p = write(data, "data.npz");
        expectDocumented(() -> Npy.readNpz(p));
        expectDocumented(() -> DataSources.load(p.toString(), null, ANY_SHAPE));
    }

    /** A CSV file with a header row and the label column 'label'. */
    static void csv(byte[] data) {
        Path p = write(data, "train.csv");
        expectDocumented(() -> DataSources.load(p.toString(), List.of("label"), ANY_SHAPE));
    }

    /** HDF5 training data FILE.h5:/X,FILE.h5:/Y: the file's first two datasets (or its first, twice). */
    static void hdf5Data(byte[] data) {
        Path p = write(data, "data.h5");
        expectDocumented(() -> {
            List<String> datasets = new ArrayList<>();
            try (Hdf5File f = Hdf5File.openRead(p)) {
                collectDatasets(f.root(), "", datasets, 2, 0);
            }
            if (datasets.isEmpty()) return;
            String x = datasets.get(0), y = datasets.get(datasets.size() - 1);
            DataSources.load(p + ":/" + x + "," + p + ":/" + y, null, ANY_SHAPE);
        });
    }

    private static void collectDatasets(Hdf5Group g, String prefix, List<String> out, int max, int depth) {
        if (depth > 8) return; // HDF5 groups may link in a cycle: the walk is this harness's, not Kerasport's
        for (String name : g.memberNames()) {
            if (out.size() >= max) return;
            String path = prefix + name;
            if (g.hasDataset(name)) out.add(path);
            else if (g.hasGroup(name)) collectDatasets(g.group(name), path + "/", out, max, depth + 1);
        }
    }

    /** A DL4J zip (kerasport convert/finetune output) through Dl4jModel.load. */
    static void dl4jZip(byte[] data) {
        Path p = write(data, "model.zip");
        expectDocumented(() -> Dl4jModel.load(p, ReadOptions.defaults().lenient(true)));
    }
}
