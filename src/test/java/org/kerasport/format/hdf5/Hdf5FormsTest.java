package org.kerasport.format.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.cli.ExitCode;
import org.kerasport.MalformedModelException;
import org.kerasport.UserInputException;

/**
 * Every attribute and dataset form the reader must understand, written by real h5py (and Keras 3's bfloat16
 * convention) into a temporary file; expected values come from the same python run.
 */
@Tag("interop")
class Hdf5FormsTest {
    /** Writes forms.h5 (plus other.h5 for the external link, raw.bin for the external dataset). */
    private static final String WRITE = """
            import sys, json, h5py, numpy as np, ml_dtypes
            d = sys.argv[1]
            with h5py.File(d + '/other.h5', 'w') as o:
                o.create_group('g')
            with h5py.File(d + '/userblock.h5', 'w', userblock_size=1024) as u:
                u.attrs['keras_version'] = '2.1.6'
                u.attrs['names'] = ['a', 'b']
                u['x'] = np.arange(3, dtype='f4')
            with open(d + '/userblock.h5', 'r+b') as u:
                u.write(b'not HDF5: a user block ' * 8)
            with open(d + '/raw.bin', 'wb') as r:
                r.write(np.arange(4, dtype='<f4').tobytes())
            f = h5py.File(d + '/forms.h5', 'w')
            a = f.attrs
            a['vlen_str'] = 'h\\u00e9llo {"k": 1}'
            a['bytes_scalar'] = np.bytes_(b'bytes!')
            a['fixed_array'] = np.array([b'lstm_1', b'dense_22'], dtype='S12')
            a['vlen_array'] = ['x', 'y\\u00e9', '']
            a['list_of_bytes'] = [b'p', b'qq']
            a['empty_f64'] = np.zeros((0,), dtype='float64')
            a['one_element'] = ['only']
            a['number'] = np.float64(2.5)
            names = ['layer_%03d' % i + '_' * 200 for i in range(300)]
            a['layer_names0'] = np.array([n.encode() for n in names[:150]], dtype='S256')
            a['layer_names1'] = np.array([n.encode() for n in names[150:]], dtype='S256')
            # fixed-length, NUL-terminated (not NUL-padded) string through the low-level API
            t = h5py.h5t.C_S1.copy(); t.set_size(8); t.set_strpad(h5py.h5t.STR_NULLTERM)
            at = h5py.h5a.create(f.id, b'nullterm', t, h5py.h5s.create(h5py.h5s.SCALAR))
            at.write(np.array(b'abc\\0\\0\\0\\0\\0', dtype='S8'))
            g = f.create_group('g/h')
            g.attrs['weight_names'] = np.zeros((0,), dtype='float64')
            f['soft'] = h5py.SoftLink('/g')
            f['ext'] = h5py.ExternalLink('other.h5', '/g')
            f['g/soft_inner'] = h5py.SoftLink('/g/h')
            half = np.array([[1.0, -2.5, 65504.0], [6e-8, 0.0, -np.inf]], dtype='float16')
            f['half'] = half
            bf = np.array([[1.5, -2.25, 3.0e38], [0.1, 1e-30, -0.0]], dtype=ml_dtypes.bfloat16)
            ds = f.create_dataset('bf16', data=bf)  # what keras H5IOStore.__setitem__ does
            ds.attrs['dtype'] = 'bfloat16'
            raw = np.frombuffer(bf.tobytes(), dtype=np.dtype('V2')).reshape(bf.shape)
            f.create_dataset('bf16_v2', data=raw).attrs['dtype'] = 'bfloat16'
            f.create_dataset('opaque_plain', data=raw)
            f['iter64'] = np.int64(9375)
            f['iter32'] = np.int32(-7)
            f['float_scalar'] = np.float32(3.0)
            f['float_half_value'] = np.float32(0.5)
            f['f64'] = np.array([1e-300, 1.0 / 3.0, -1e300])
            f['ints'] = np.array([-128, 0, 127], dtype='int8')
            f['u16'] = np.array([0, 65535], dtype='uint16')
            f['u64'] = np.array([2**64 - 1], dtype='uint64')
            f['bools'] = np.array([True, False, True])
            f['big_endian'] = np.array([1.25, -3.5], dtype='>f4')
            f['gzip'] = np.arange(1000, dtype='<f4')
            f.create_dataset('gzip_c', data=np.arange(1000, dtype='<f4'), compression='gzip', chunks=(100,))
            f['strings'] = np.array([b'a', b'b'])
            f['compound'] = np.array([(1, 2.0)], dtype=[('a', 'i4'), ('b', 'f8')])
            f.create_dataset('external', shape=(4,), dtype='<f4', external=[(d + '/raw.bin', 0, 16)])
            layout = h5py.VirtualLayout(shape=(4,), dtype='<f4')
            layout[:] = h5py.VirtualSource(d + '/other.h5', 'missing', shape=(4,))
            f.create_virtual_dataset('virtual', layout)
            f.close()
            print(json.dumps({
                'half': [float(x) for x in half.astype('f4').reshape(-1)],
                'bf16': [float(x) for x in bf.astype('f4').reshape(-1)],
                'names': names,
                'members': list(h5py.File(d + '/forms.h5', 'r').keys()),
            }))
            """;

    @TempDir
    static Path dir;
    private static JsonNode expected;
    private static Hdf5File file;
    private static Hdf5Group root;

    @BeforeAll
    static void writeWithH5py() {
        expected = Hdf5TestSupport.runPython(WRITE, dir.toString());
        file = Hdf5File.openRead(dir.resolve("forms.h5"));
        root = file.root();
    }

    @AfterAll
    static void close() {
        if (file != null) file.close();
    }

    @Test
    void scalarStrings() {
        assertEquals("h\u00e9llo {\"k\": 1}", root.stringAttribute("vlen_str"));
        assertEquals("bytes!", root.stringAttribute("bytes_scalar"));
        assertEquals("abc", root.stringAttribute("nullterm"));
        assertEquals("only", root.stringAttribute("one_element"));
        assertEquals(List.of("bytes!"), root.stringListAttribute("bytes_scalar"));
    }

    @Test
    void stringLists() {
        assertEquals(List.of("lstm_1", "dense_22"), root.stringListAttribute("fixed_array"));
        assertEquals(List.of("x", "y\u00e9", ""), root.stringListAttribute("vlen_array"));
        assertEquals(List.of("p", "qq"), root.stringListAttribute("list_of_bytes"));
        assertEquals(List.of(), root.stringListAttribute("empty_f64"));
        assertEquals(List.of(), root.group("g/h").stringListAttribute("weight_names"));
        assertEquals(Hdf5TestSupport.strings(expected.get("names")), root.stringListAttribute("layer_names"));
    }

    @Test
    void attributeNamesAndErrors() {
        List<String> names = root.attributeNames();
        assertTrue(names.containsAll(List.of("vlen_str", "layer_names0", "layer_names1", "nullterm")), names.toString());
        assertEquals(names.stream().sorted().toList(), names);
        assertTrue(root.hasAttribute("vlen_str"));
        assertFalse(root.hasAttribute("layer_names"));
        MalformedModelException missing = assertThrows(MalformedModelException.class, () -> root.stringAttribute("nope"));
        assertTrue(missing.getMessage().contains("missing attribute 'nope' of /"), missing.getMessage());
        assertThrows(MalformedModelException.class, () -> root.stringListAttribute("nope"));
        MalformedModelException numeric = assertThrows(MalformedModelException.class, () -> root.stringAttribute("number"));
        assertTrue(numeric.getMessage().contains("float64"), numeric.getMessage());
        assertThrows(MalformedModelException.class, () -> root.stringListAttribute("number"));
        assertThrows(MalformedModelException.class, () -> root.stringAttribute("vlen_array"));
    }

    @Test
    void linksOtherThanHardLinksAreRefused() {
        assertEquals(Hdf5TestSupport.strings(expected.get("members")), root.memberNames());
        for (String soft : List.of("soft", "soft/h", "g/soft_inner")) {
            MalformedModelException e = assertThrows(MalformedModelException.class, () -> root.hasGroup(soft));
            assertTrue(e.getMessage().contains("HDF5 soft link"), e.getMessage());
        }
        MalformedModelException ext = assertThrows(MalformedModelException.class, () -> root.group("ext"));
        assertTrue(ext.getMessage().contains("HDF5 external link /ext refused"), ext.getMessage());
        assertThrows(MalformedModelException.class, () -> root.dataset("ext"));
        assertTrue(root.hasGroup("g/h"));
        assertEquals("/g/h", root.group("g").group("h").path());
    }

    @Test
    void externalAndVirtualDatasetsAreRefused() {
        MalformedModelException ext = assertThrows(MalformedModelException.class, () -> root.dataset("external"));
        assertTrue(ext.getMessage().contains("external dataset"), ext.getMessage());
        MalformedModelException virt = assertThrows(MalformedModelException.class, () -> root.dataset("virtual"));
        assertTrue(virt.getMessage().contains("virtual dataset"), virt.getMessage());
    }

    @Test
    void float16AndBfloat16() {
        Hdf5Dataset half = root.dataset("half");
        assertEquals("float16", half.dtype());
        assertArrayEquals(floats(expected.get("half")), half.readFloats());
        for (String name : List.of("bf16", "bf16_v2")) {
            Hdf5Dataset bf = root.dataset(name);
            assertEquals("bfloat16", bf.dtype(), name);
            assertArrayEquals(new long[] {2, 3}, bf.shape());
            assertArrayEquals(floats(expected.get("bf16")), bf.readFloats(), name);
        }
        Hdf5Dataset opaque = root.dataset("opaque_plain");
        assertEquals("opaque(2 bytes)", opaque.dtype());
        assertThrows(MalformedModelException.class, opaque::readFloats);
    }

    @Test
    void scalarsAndIntegers() {
        assertEquals(9375, root.dataset("iter64").readLongScalar());
        assertEquals("int64", root.dataset("iter64").dtype());
        assertArrayEquals(new long[0], root.dataset("iter64").shape());
        assertEquals(-7, root.dataset("iter32").readLongScalar());
        assertEquals(3, root.dataset("float_scalar").readLongScalar());
        assertThrows(MalformedModelException.class, () -> root.dataset("float_half_value").readLongScalar());
        assertThrows(MalformedModelException.class, () -> root.dataset("ints").readLongScalar());
        assertThrows(MalformedModelException.class, () -> root.dataset("u64").readLongScalar());
        assertArrayEquals(new float[] {-128, 0, 127}, root.dataset("ints").readFloats());
        assertArrayEquals(new float[] {0, 65535}, root.dataset("u16").readFloats());
        assertArrayEquals(new double[] {0x1p64}, root.dataset("u64").readDoubles());
        assertEquals("uint64", root.dataset("u64").dtype());
        assertEquals("bool", root.dataset("bools").dtype());
        assertArrayEquals(new float[] {1, 0, 1}, root.dataset("bools").readFloats());
    }

    @Test
    void floatsOfEveryWidthAndOrder() {
        Hdf5Dataset f64 = root.dataset("f64");
        assertEquals("float64", f64.dtype());
        assertArrayEquals(new double[] {1e-300, 1.0 / 3.0, -1e300}, f64.readDoubles());
        assertArrayEquals(new float[] {0f, (float) (1.0 / 3.0), Float.NEGATIVE_INFINITY}, f64.readFloats());
        assertEquals("float32", root.dataset("big_endian").dtype());
        assertArrayEquals(new float[] {1.25f, -3.5f}, root.dataset("big_endian").readFloats());
        float[] expected = new float[1000];
        for (int i = 0; i < expected.length; i++) expected[i] = i;
        assertArrayEquals(expected, root.dataset("gzip").readFloats());
        assertArrayEquals(expected, root.dataset("gzip_c").readFloats());
        assertEquals(1000, root.dataset("gzip_c").elementCount());
    }

    @Test
    void nonNumericDatasets() {
        assertEquals("|S1", root.dataset("strings").dtype());
        assertThrows(MalformedModelException.class, () -> root.dataset("strings").readFloats());
        assertTrue(root.dataset("compound").dtype().startsWith("compound"), root.dataset("compound").dtype());
        assertThrows(MalformedModelException.class, () -> root.dataset("compound").readDoubles());
        assertEquals("bfloat16", root.dataset("bf16").optStringAttribute("dtype").orElseThrow());
        assertEquals(List.of("dtype"), root.dataset("bf16").attributeNames());
    }

    @Test
    void pathsAndMissingObjects() {
        assertTrue(root.hasDataset("gzip"));
        assertFalse(root.hasGroup("gzip"));
        assertFalse(root.hasDataset("g"));
        assertFalse(root.hasDataset("no/such/path"));
        assertFalse(root.hasGroup("gzip/below_a_dataset"));
        MalformedModelException e = assertThrows(MalformedModelException.class, () -> root.group("g/missing"));
        assertEquals("/g/missing", e.part());
        assertTrue(e.getMessage().contains("missing group /g/missing"), e.getMessage());
        assertThrows(MalformedModelException.class, () -> root.group("gzip"));
        assertThrows(MalformedModelException.class, () -> root.dataset("g"));
        for (String bad : List.of("", "/g", "g/", "g//h", "./g")) {
            assertThrows(IllegalArgumentException.class, () -> root.hasGroup(bad), bad);
        }
    }

    @Test
    void notHdf5MissingAndDirectory() throws Exception {
        Path text = dir.resolve("model.json");
        Files.writeString(text, "{\"class_name\": \"Sequential\"}".repeat(100));
        MalformedModelException notHdf5 = assertThrows(MalformedModelException.class, () -> Hdf5File.openRead(text));
        assertTrue(notHdf5.getMessage().endsWith("not an HDF5 file"), notHdf5.getMessage());
        UserInputException missing = assertThrows(UserInputException.class, () -> Hdf5File.openRead(dir.resolve("none.h5")));
        assertEquals(ExitCode.IO, ExitCode.of(missing));
        assertEquals(ExitCode.IO, ExitCode.of(assertThrows(UserInputException.class, () -> Hdf5File.openRead(dir))));
        Path empty = Files.createFile(dir.resolve("empty.h5"));
        assertThrows(MalformedModelException.class, () -> Hdf5File.openRead(empty));
    }

    /** HDF5 allows a user block before the superblock (signature at 512, 1024, ...); addresses are then relative. */
    @Test
    void userBlock() {
        try (Hdf5File f = Hdf5File.openRead(dir.resolve("userblock.h5"))) {
            assertEquals("2.1.6", f.root().stringAttribute("keras_version"));
            assertEquals(List.of("a", "b"), f.root().stringListAttribute("names"));
            assertArrayEquals(new float[] {0, 1, 2}, f.root().dataset("x").readFloats());
        }
    }

    @Test
    void concurrentReadersShareTheLock() throws Exception {
        Path p = dir.resolve("forms.h5");
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 20; i++) {
                        try (Hdf5File f = Hdf5File.openRead(p)) {
                            assertEquals(300, f.root().stringListAttribute("layer_names").size());
                            assertEquals(1000, f.root().dataset("gzip").readFloats().length);
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) t.join();
        assertEquals(List.of(), errors);
    }

    @Test
    void closedFileRefusesUse() {
        Hdf5File f = Hdf5File.openRead(dir.resolve("forms.h5"));
        Hdf5Group g = f.root().group("g");
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, g::memberNames);
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).asDouble();
        return out;
    }
}
