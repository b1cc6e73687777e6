package org.kerasport.format;

import static org.bytedeco.hdf5.global.hdf5.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bytedeco.hdf5.global.hdf5;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.BadDataException;
import org.kerasport.KerasportException;
import org.kerasport.Limit;
import org.kerasport.MalformedModelException;
import org.kerasport.TestSupport;
import org.kerasport.data.Npy;
import org.kerasport.format.hdf5.Hdf5File;
import org.kerasport.format.hdf5.Hdf5Group;
import org.kerasport.train.data.DataSources;
import org.kerasport.train.data.ModelSignature;

/**
 * Resource limits ({@link Limit}): hostile files that claim huge shapes are refused from their headers, before the
 * memory is allocated, with a message that names the limit and how to raise it. The HDF5 files here are CRAFTED by
 * this test (Kerasport's HDF5 writer plus a chunked dataset created through the HDF5 library with no data written,
 * so a 40000 x 40000 float32 dataset - 6.4 GB - costs a few kilobytes of file); they are not Keras' files.
 */
@Tag("unit")
class ResourceLimitsTest {
    /** 40000 x 40000 float32: 6.4e9 bytes, above the 4 GiB per-tensor default, below 2^31 elements. */
    private static final long HUGE = 40_000;

    @TempDir
    Path tmp;

    private static final ModelSignature ANY = new ModelSignature(List.of("x"), java.util.Collections.singletonList(null),
            List.of("y"), java.util.Collections.singletonList(null), Map.of("y", "mean_squared_error"));

    /** Bytes this thread allocates while {@code r} runs: a refusal "before allocating" stays far below the claim. */
    private static <T> long allocatedBy(Supplier<T> r) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(id);
        r.get();
        return mx.getThreadAllocatedBytes(id) - before;
    }

    /** A dataset of {@code dims} float32 elements, chunked and never written: only its header is in the file. */
    private static void craftHugeDataset(Path file, String path, long... dims) {
        {
            long f = H5Fopen(file.toString(), H5F_ACC_RDWR, H5P_DEFAULT);
            assertTrue(f >= 0, "cannot reopen " + file);
            long space = H5Screate_simple(dims.length, dims, (long[]) null);
            long dcpl = H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g());
            long[] chunk = new long[dims.length];
            java.util.Arrays.fill(chunk, 64);
            H5Pset_chunk(dcpl, dims.length, chunk);
            long lcpl = H5Pcreate(H5P_CLS_LINK_CREATE_ID_g());
            H5Pset_create_intermediate_group(lcpl, 1);
            long d = H5Dcreate2(f, path, H5T_IEEE_F32LE_g(), space, lcpl, dcpl, H5P_DEFAULT);
            assertTrue(d >= 0, "cannot create " + path);
            H5Dclose(d);
            H5Pclose(lcpl);
            H5Pclose(dcpl);
            H5Sclose(space);
            H5Fclose(f);
        }
    }

    /** A legacy full-model .h5 (Keras 2 layout) whose Dense kernel claims 40000 x 40000. */
    private Path craftedModel() {
        Path p = tmp.resolve("crafted-huge-kernel.h5");
        String config = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, " + HUGE + "], \"dtype\": \"float32\"}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": " + HUGE + ", \"use_bias\": false, \"activation\": \"linear\"}}]}}";
        try (Hdf5File f = Hdf5File.create(p)) {
            Hdf5Group root = f.root();
            root.writeStringAttribute("keras_version", "2.15.0");
            root.writeStringAttribute("backend", "tensorflow");
            root.writeStringAttribute("model_config", config);
            Hdf5Group mw = root.createGroup("model_weights");
            mw.writeFixedStringListAttribute("layer_names", List.of("in", "d"));
            mw.createGroup("in").writeEmptyFloat64Attribute("weight_names");
            mw.createGroup("d").writeFixedStringListAttribute("weight_names", List.of("d/kernel:0"));
        }
        craftHugeDataset(p, "/model_weights/d/d/kernel:0", HUGE, HUGE);
        return p;
    }

    @Test
    void aModelWhoseKernelClaimsHugeShapeIsRefusedBeforeAllocating() {
        Path p = craftedModel();
        assertTrue(sizeOf(p) < 1 << 20, "the crafted file holds headers only");
        long allocated = allocatedBy(() -> {
            MalformedModelException e = assertThrows(MalformedModelException.class, () -> KerasReader.read(p));
            String m = e.getMessage();
            assertTrue(m.contains(p.toString()) && m.contains("kernel:0"), m);
            assertTrue(m.contains("max-tensor-bytes") && m.contains("--max-tensor-bytes") && m.contains("-Dkerasport.max-tensor-bytes"), m);
            return e;
        });
        assertTrue(allocated < 256L << 20, "allocated " + allocated + " bytes before refusing a 6.4 GB tensor");
    }

    @Test
    void theParameterLimitCountsDeclaredShapesAndNamesItsOverride() {
        Path p = craftedModel();
        // inspect reads shapes only and allocates nothing: it reports the model (BadInputTest); reading weights counts
        assertEquals(0, TestSupport.cli("inspect", p.toString(), "--max-parameters", "1000").code());
        TestSupport.Run r = TestSupport.cli("convert", p.toString(), "-o", tmp.resolve("out.zip").toString(), "--max-parameters", "1000");
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("max-parameters = 1000") && r.err().contains("--max-parameters N"), r.err());
        // raising the per-tensor limit lets the header through to the next guard: the declared size is far beyond the
        // file (a corrupt header) - still refused, still before allocating
        TestSupport.Run r2 = TestSupport.cli("convert", p.toString(), "-o", tmp.resolve("out.zip").toString(),
                "--max-tensor-bytes", "8g");
        assertEquals(3, r2.code(), r2.err());
        assertTrue(r2.err().contains("far more than the file holds"), r2.err());
        assertEquals(2, TestSupport.cli("inspect", p.toString(), "--max-tensor-bytes", "lots").code());
        assertEquals(null, System.getProperty(Limit.TENSOR_BYTES.property()), "a flag holds for its run only");
    }

    @Test
    void hdf5TrainingDataClaimingHugeShapeIsRefusedBeforeAllocating() {
        Path p = tmp.resolve("crafted-huge-data.h5");
        try (Hdf5File f = Hdf5File.create(p)) {
            f.root().writeFloatDataset("y", new long[] {2, 1}, new float[] {0, 1});
        }
        craftHugeDataset(p, "/x", HUGE, HUGE);
        long allocated = allocatedBy(() -> {
            BadDataException e = assertThrows(BadDataException.class, () -> DataSources.load(p + ":/x," + p + ":/y", null, ANY));
            assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("--max-data-bytes"), e.getMessage());
            return e;
        });
        assertTrue(allocated < 256L << 20, "allocated " + allocated + " bytes before refusing");
    }

    @Test
    void npyHeaderClaimingHugeShapeIsRefusedBeforeAllocating() throws IOException {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (40000, 40000), }";
        header += " ".repeat(63 - (10 + header.length()) % 64) + "\n";
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = new byte[10 + h.length + 64];
        b[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(StandardCharsets.ISO_8859_1), 0, b, 1, 5);
        b[6] = 1;
        b[8] = (byte) h.length;
        b[9] = (byte) (h.length >> 8);
        System.arraycopy(h, 0, b, 10, h.length);
        Path p = tmp.resolve("crafted-huge.npy");
        Files.write(p, b);
        long allocated = allocatedBy(() -> {
            KerasportException e = assertThrows(BadDataException.class, () -> Npy.read(p));
            assertTrue(e.getMessage().contains("max-data-bytes") && e.getMessage().contains("-Dkerasport.max-data-bytes"), e.getMessage());
            return e;
        });
        assertTrue(allocated < 64L << 20, "allocated " + allocated + " bytes before refusing");
    }

    @Test
    void jsonDepthAndSizeAndLayerCountHaveNamedLimits() throws IOException {
        Path deep = tmp.resolve("deep.json");
        Files.writeString(deep, "{\"a\":".repeat(300) + "1" + "}".repeat(300));
        TestSupport.Run r = TestSupport.cli("inspect", deep.toString());
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("max-json-depth = 200") && r.err().contains("--max-json-depth"), r.err());
        // raised, the same document parses (and is then no Keras model: a different error)
        TestSupport.Run r2 = TestSupport.cli("inspect", deep.toString(), "--max-json-depth", "400");
        assertTrue(!r2.err().contains("max-json-depth"), r2.err());

        TestSupport.Run big = TestSupport.cli("inspect", deep.toString(), "--max-json-bytes", "100");
        assertEquals(3, big.code(), big.err());
        assertTrue(big.err().contains("max-json-bytes = 100"), big.err());

        Path many = tmp.resolve("many-layers.json");
        StringBuilder sb = new StringBuilder("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [");
        sb.append("{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 2]}}");
        for (int i = 0; i < 20; i++) sb.append(", {\"class_name\": \"Dense\", \"config\": {\"name\": \"d").append(i).append("\", \"units\": 2}}");
        Files.writeString(many, sb.append("]}}").toString());
        TestSupport.Run layers = TestSupport.cli("inspect", many.toString(), "--max-layers", "10");
        assertEquals(3, layers.code(), layers.err());
        assertTrue(layers.err().contains("max-layers = 10"), layers.err());
        assertEquals(0, TestSupport.cli("inspect", many.toString()).code(), "the default allows it");
    }

    @Test
    void zipEntryCountAndRatio() throws IOException {
        Path z = tmp.resolve("crafted-many.keras");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(z))) {
            for (int i = 0; i < 50; i++) {
                out.putNextEntry(new ZipEntry("e" + i));
                out.closeEntry();
            }
        }
        TestSupport.Run r = TestSupport.cli("inspect", z.toString(), "--max-zip-entries", "20");
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("max-zip-entries = 20") && r.err().contains("--max-zip-entries"), r.err());

        Path bomb = tmp.resolve("crafted-bomb.keras");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(bomb))) {
            out.putNextEntry(new ZipEntry("config.json"));
            out.write(new byte[8 << 20]); // 8 MiB of zeros deflate about 1000:1
            out.closeEntry();
        }
        TestSupport.Run b = TestSupport.cli("inspect", bomb.toString(), "--max-zip-ratio", "50");
        assertEquals(3, b.code(), b.err());
        assertTrue(b.err().contains("max-zip-ratio = 50"), b.err());
    }

    /**
     * A DL4J zip converted from the bundled sample, then CRAFTED: its coefficients.bin header claims 2^40 values. The
     * genuine zip loads; --max-parameters below its parameter count refuses it from configuration.json.
     */
    @Test
    void dl4jZipWithHugeCoefficientHeaderIsRefusedBeforeAllocating() throws IOException {
        Path zip = tmp.resolve("seed.zip");
        assertEquals(0, TestSupport.cli("convert", "models/seed_mlp.keras", "-o", zip.toString(), "--quiet").code());
        org.kerasport.dl4j.Dl4jModel.load(zip, ReadOptions.defaults());
        System.setProperty(Limit.PARAMETERS.property(), "10");
        try {
            MalformedModelException e = assertThrows(MalformedModelException.class, () -> org.kerasport.dl4j.Dl4jModel.load(zip, ReadOptions.defaults()));
            assertTrue(e.getMessage().contains("configuration.json") && e.getMessage().contains("max-parameters = 10"), e.getMessage());
        } finally {
            System.clearProperty(Limit.PARAMETERS.property());
        }
        Path crafted = tmp.resolve("crafted-huge-coefficients.zip");
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(zip.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(crafted))) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] b = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("coefficients.bin")) {
                    var d = new java.io.DataInputStream(new java.io.ByteArrayInputStream(b));
                    int at = 2 + d.readUnsignedShort(); // allocation mode (writeUTF)
                    long shapeLength = java.nio.ByteBuffer.wrap(b, at, 8).getLong();
                    at += 8;
                    at += 2 + java.nio.ByteBuffer.wrap(b, at, 2).getShort(); // shape type name
                    at += (int) shapeLength * 8;
                    at += 2 + java.nio.ByteBuffer.wrap(b, at, 2).getShort(); // data allocation mode
                    java.nio.ByteBuffer.wrap(b, at, 8).putLong(1L << 40); // the data buffer's length
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(b);
                out.closeEntry();
            }
        }
        long allocated = allocatedBy(() -> {
            MalformedModelException e = assertThrows(MalformedModelException.class, () -> org.kerasport.dl4j.Dl4jModel.load(crafted, ReadOptions.defaults()));
            assertTrue(e.getMessage().contains("coefficients.bin") && e.getMessage().contains("1099511627776 values"), e.getMessage());
            return e;
        });
        assertTrue(allocated < 256L << 20, "allocated " + allocated + " bytes before refusing");
    }

    @Test
    void limitValuesParse() {
        assertEquals(4L << 30, Limit.parse("4g"));
        assertEquals(64L << 20, Limit.parse("64M"));
        assertEquals(1000, Limit.parse("1_000"));
        assertThrows(IllegalArgumentException.class, () -> Limit.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> Limit.parse("lots"));
        assertThrows(IllegalArgumentException.class, () -> Limit.parse("99999999999t"));
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
