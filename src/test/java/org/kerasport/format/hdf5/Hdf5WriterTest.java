package org.kerasport.format.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by {@link Hdf5File#create} read back with h5py (and Keras' own loader) and with the wrapper. */
@Tag("interop")
class Hdf5WriterTest {
    /** Reads ours.h5 with h5py; writes ref.h5 with Keras' own save_attributes_to_hdf5_group for comparison. */
    private static final String CHECK = """
            import sys, json, hashlib, h5py, numpy as np
            from keras.src.legacy.saving import legacy_h5_format as keras_h5
            ours, ref = sys.argv[1], sys.argv[2]
            names = [('layer_%03d' % i).ljust(255, 'x') for i in range(300)]
            small = ['dense_1', 'dropout', 'dense_2']
            with h5py.File(ref, 'w') as r:
                keras_h5.save_attributes_to_hdf5_group(r, 'layer_names', [n.encode('utf8') for n in names])
                keras_h5.save_attributes_to_hdf5_group(r, 'small', [n.encode('utf8') for n in small])
            def attrs(g):
                out = {}
                for k in g.attrs.keys():
                    a = g.attrs.get_id(k)
                    v = g.attrs[k]
                    info = {'dtype': a.dtype.str, 'shape': list(a.shape)}
                    sd = h5py.check_string_dtype(a.dtype)
                    if sd is not None:
                        info['encoding'] = sd.encoding
                        info['vlen'] = sd.length is None
                        items = [v] if a.shape == () else list(v)
                        items = [x.decode('utf8') if isinstance(x, bytes) else x for x in items]
                        info['sha'] = hashlib.sha256('\\n'.join(items).encode('utf8')).hexdigest()
                        info['count'] = len(items)
                    out[k] = info
                return out
            res = {}
            with h5py.File(ours, 'r') as f:
                res['attrs'] = attrs(f)
                res['group_attrs'] = attrs(f['model_weights/dense'])
                res['keras_names'] = keras_h5.load_attributes_from_hdf5_group(f, 'layer_names') == names
                res['keras_small'] = keras_h5.load_attributes_from_hdf5_group(f, 'small')
                res['keras_empty'] = keras_h5.load_attributes_from_hdf5_group(f['model_weights/dense'], 'weight_names')
                ds = {}
                def visit(name, obj):
                    if isinstance(obj, h5py.Dataset):
                        plist = obj.id.get_create_plist()
                        ds[name] = {'dtype': obj.dtype.str, 'shape': list(obj.shape),
                                    'values': np.asarray(obj[()], dtype='f8').reshape(-1).tolist(),
                                    'contiguous': plist.get_layout() == h5py.h5d.CONTIGUOUS,
                                    'filters': plist.get_nfilters()}
                f.visititems(visit)
                res['datasets'] = ds
            with h5py.File(ref, 'r') as r:
                res['ref'] = attrs(r)
            print(json.dumps(res))
            """;

    @TempDir
    Path dir;

    static List<String> layerNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 300; i++) names.add(String.format("layer_%03d", i) + "x".repeat(255 - 9));
        return names;
    }

    static String bigText() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < (1 << 20); i++) sb.append("{\"layer\": ").append(i).append(", \"name\": \"d\u00e9nse\u20ac\"}, ");
        return sb.toString();
    }

    @Test
    void roundTripThroughH5pyKerasAndTheWrapper() {
        Path ours = dir.resolve("ours.h5");
        String big = bigText();
        List<String> names = layerNames();
        try (Hdf5File f = Hdf5File.create(ours)) {
            Hdf5Group root = f.root();
            root.writeStringAttribute("model_config", "to be replaced");
            root.writeStringAttribute("model_config", big);
            root.writeStringAttribute("keras_version", "3.15.1");
            root.writeFixedStringListAttribute("fixed", List.of("a", "bcd", "\u00e9"));
            root.writeStringListAttributeChunked("layer_names", names);
            root.writeStringListAttributeChunked("small", List.of("dense_1", "dropout", "dense_2"));
            Hdf5Group dense = root.createGroup("model_weights/dense");
            assertEquals("/model_weights/dense", dense.path());
            dense.writeStringListAttributeChunked("weight_names", List.of());
            root.createGroup("model_weights").writeEmptyFloat64Attribute("empty");
            dense.writeFloatDataset("dense/kernel:0", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6.5f});
            dense.writeFloatDataset("dense/bias:0", new long[] {3}, new float[] {-1, 0, Float.MIN_VALUE});
            root.writeFloatDataset("optimizer_weights/learning_rate", new long[0], new float[] {0.001f});
            root.writeFloatDataset("empty", new long[] {2, 0}, new float[0]);
            root.writeFloatDataset("cube", new long[] {2, 3, 4}, new float[24]);
            root.writeLongScalarDataset("optimizer_weights/iteration", 9375, false);
            root.writeLongScalarDataset("optimizer_weights/iter32", -5, true);
            assertThrows(IllegalArgumentException.class, () -> root.writeFloatDataset("bad", new long[] {2, 2}, new float[3]));
            assertThrows(IllegalArgumentException.class, () -> root.writeStringListAttributeChunked("x", List.of("y".repeat(64513))));
            assertThrows(IllegalArgumentException.class, () -> root.writeFixedStringListAttribute("x", List.of()));
            assertThrows(IllegalArgumentException.class, () -> root.writeLongScalarDataset("x", 1L << 40, true));
            assertThrows(IllegalArgumentException.class, () -> root.writeFloatDataset("cube", new long[0], new float[1]));
        }

        JsonNode r = Hdf5TestSupport.runPython(CHECK, ours.toString(), dir.resolve("ref.h5").toString());
        JsonNode attrs = r.get("attrs");
        JsonNode config = attrs.get("model_config");
        assertEquals("utf-8", config.get("encoding").asText());
        assertTrue(config.get("vlen").asBoolean());
        assertEquals(List.of(), Hdf5TestSupport.strings(config.get("shape")));
        assertEquals(sha256(big), config.get("sha").asText());
        JsonNode fixed = attrs.get("fixed");
        assertEquals("|S3", fixed.get("dtype").asText());
        assertEquals(sha256("a\nbcd\n\u00e9"), fixed.get("sha").asText());
        // the chunked list is laid out exactly as Keras' own save_attributes_to_hdf5_group lays it out
        JsonNode ref = r.get("ref");
        for (String key : List.of("layer_names0", "layer_names1", "small")) {
            assertEquals(ref.get(key), attrs.get(key), key);
        }
        assertEquals(null, attrs.get("layer_names"));
        assertEquals(null, attrs.get("layer_names2"));
        assertEquals(150, attrs.get("layer_names0").get("count").asInt());
        assertEquals(150, attrs.get("layer_names1").get("count").asInt());
        assertEquals("|S255", attrs.get("layer_names0").get("dtype").asText());
        assertTrue(attrs.get("small").get("vlen").asBoolean());
        assertTrue(r.get("keras_names").asBoolean());
        assertEquals(List.of("dense_1", "dropout", "dense_2"), Hdf5TestSupport.strings(r.get("keras_small")));
        assertEquals(0, r.get("keras_empty").size());
        assertEquals("<f8", r.get("group_attrs").get("weight_names").get("dtype").asText());
        assertEquals(List.of("0"), Hdf5TestSupport.strings(r.get("group_attrs").get("weight_names").get("shape")));

        JsonNode ds = r.get("datasets");
        assertEquals(7, ds.size(), ds.toString());
        JsonNode kernel = ds.get("model_weights/dense/dense/kernel:0");
        assertEquals("<f4", kernel.get("dtype").asText());
        assertEquals("[2,3]", kernel.get("shape").toString());
        assertEquals("[1.0,2.0,3.0,4.0,5.0,6.5]", kernel.get("values").toString());
        for (JsonNode d : ds) {
            assertTrue(d.get("contiguous").asBoolean(), d.toString());
            assertEquals(0, d.get("filters").asInt(), d.toString());
        }
        assertEquals("[]", ds.get("optimizer_weights/learning_rate").get("shape").toString());
        assertEquals("[2,0]", ds.get("empty").get("shape").toString());
        assertEquals("<i8", ds.get("optimizer_weights/iteration").get("dtype").asText());
        assertEquals("[9375.0]", ds.get("optimizer_weights/iteration").get("values").toString());
        assertEquals("<i4", ds.get("optimizer_weights/iter32").get("dtype").asText());

        try (Hdf5File f = Hdf5File.openRead(ours)) {
            Hdf5Group root = f.root();
            assertEquals(big, root.stringAttribute("model_config"));
            assertEquals(List.of("a", "bcd", "\u00e9"), root.stringListAttribute("fixed"));
            assertEquals(names, root.stringListAttribute("layer_names"));
            assertEquals(List.of(), root.group("model_weights/dense").stringListAttribute("weight_names"));
            assertEquals(List.of(), root.group("model_weights").stringListAttribute("empty"));
            Hdf5Dataset k = root.dataset("model_weights/dense/dense/kernel:0");
            assertArrayEquals(new long[] {2, 3}, k.shape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6.5f}, k.readFloats());
            assertArrayEquals(new float[] {-1, 0, Float.MIN_VALUE}, root.dataset("model_weights/dense/dense/bias:0").readFloats());
            assertArrayEquals(new float[] {0.001f}, root.dataset("optimizer_weights/learning_rate").readFloats());
            assertEquals(0, root.dataset("empty").readFloats().length);
            assertEquals(24, root.dataset("cube").elementCount());
            assertEquals(9375, root.dataset("optimizer_weights/iteration").readLongScalar());
            assertEquals(-5, root.dataset("optimizer_weights/iter32").readLongScalar());
            assertThrows(IllegalStateException.class, () -> root.writeStringAttribute("x", "read-only"));
        }
    }

    @Test
    void kerasChunkRule() {
        KerasAttributeChunks c = KerasAttributeChunks.split(layerNames());
        assertEquals(255, c.width());
        assertEquals(List.of(150, 150), c.pieces().stream().map(List::size).toList());
        assertEquals(List.of(3, 3, 2, 2), KerasAttributeChunks.arraySplit(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 4).stream().map(List::size).toList());
        assertEquals(1, KerasAttributeChunks.split(List.of("a", "b")).pieces().size());
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) many.add("y".repeat(100 + i % 7));
        KerasAttributeChunks m = KerasAttributeChunks.split(many);
        assertEquals(106, m.width());
        assertTrue(m.pieces().stream().allMatch(p -> (long) p.size() * 106 <= KerasAttributeChunks.HDF5_OBJECT_HEADER_LIMIT));
        assertEquals(2, m.pieces().size());
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
