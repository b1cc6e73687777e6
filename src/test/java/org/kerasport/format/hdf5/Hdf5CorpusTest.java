package org.kerasport.format.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Reads real Keras files (Keras 1.1 to 3.5) in place and compares everything (group members, every attribute,
 * every dataset's shape, dtype and values) with what h5py reads from the same files.
 */
@Tag("interop")
@Tag("corpus")
class Hdf5CorpusTest {
    static final String KERAS1 = "dl4j-test-resources/keras-simple/lstm_tf_model.h5";
    static final String KERAS3 = "azsii8/regularized_model.h5";
    static final String TFKERAS = "konduit-dl4j-test-resources/tfkeras/mlp_1.h5";

    /** Dumps each file's tree as h5py sees it: members, attributes decoded as Keras does, dataset digests. */
    private static final String DUMP = """
            import sys, json, hashlib, h5py, numpy as np
            def attr(obj, name):
                raw = obj.attrs.get_id(name)
                v = obj.attrs[name]
                if h5py.check_string_dtype(raw.dtype) is not None or raw.dtype.kind in 'SOU':
                    items = [v] if raw.shape == () else list(np.asarray(v, dtype=object).reshape(-1))
                    items = [x.decode('utf8') if isinstance(x, bytes) else str(x) for x in items]
                    return {'kind': 'scalar' if raw.shape == () else 'list', 'value': items}
                return {'kind': 'empty' if np.asarray(v).size == 0 else 'numeric', 'dtype': raw.dtype.name}
            def dump(path):
                out = {'groups': {}, 'datasets': {}}
                f = h5py.File(path, 'r')
                def group(name, g):
                    out['groups'][name] = {'members': list(g.keys()),
                                           'attrs': {k: attr(g, k) for k in g.attrs.keys()}}
                def visit(name, obj):
                    if isinstance(obj, h5py.Group): group('/' + name, obj)
                    else:
                        a = obj[()]
                        out['datasets']['/' + name] = {'shape': list(obj.shape), 'dtype': obj.dtype.name,
                            'sha': hashlib.sha256(np.asarray(a).astype('<f4').tobytes()).hexdigest(),
                            'first': [float(x) for x in np.asarray(a, dtype='f8').reshape(-1)[:3]]}
                group('/', f)
                f.visititems(visit)
                return out
            print(json.dumps({p: dump(p) for p in sys.argv[1:]}))
            """;

    private static List<Path> files;
    private static JsonNode expected;

    @BeforeAll
    static void dumpWithH5py() throws IOException {
        try (Stream<Path> s = Files.walk(Hdf5TestSupport.shared().resolve("keras-corpus"))) {
            files = s.filter(p -> p.toString().endsWith(".h5") || p.toString().endsWith(".hdf5")).sorted().toList();
        }
        assertTrue(files.size() >= 40, "expected the keras corpus, found " + files.size() + " HDF5 files");
        expected = Hdf5TestSupport.runPython(DUMP, files.stream().map(Path::toString).toArray(String[]::new));
    }

    @Test
    void keras1FileWithFixedLengthStrings() {
        try (Hdf5File f = Hdf5File.openRead(Hdf5TestSupport.corpus(KERAS1))) {
            Hdf5Group root = f.root();
            assertEquals("1.1.0", root.stringAttribute("keras_version"));
            assertTrue(root.stringAttribute("model_config").startsWith("{"));
            Hdf5Group weights = root.group("model_weights");
            assertEquals(List.of("lstm_1", "lstm_2", "timedistributeddense_1", "activation_1"),
                    weights.stringListAttribute("layer_names"));
            assertEquals(List.of(), weights.group("activation_1").stringListAttribute("weight_names"));
            List<String> lstm = weights.group("lstm_1").stringListAttribute("weight_names");
            assertEquals(12, lstm.size());
            assertEquals("lstm_1_W_i:0", lstm.get(0));
            Hdf5Dataset w = weights.dataset("lstm_1/lstm_1_W_i:0");
            assertArrayEquals(new long[] {2, 3}, w.shape());
            assertEquals("float32", w.dtype());
            assertEquals("/model_weights/lstm_1/lstm_1_W_i:0", w.path());
            assertEquals(6, w.readFloats().length);
        }
    }

    @Test
    void keras3File() {
        try (Hdf5File f = Hdf5File.openRead(Hdf5TestSupport.corpus(KERAS3))) {
            Hdf5Group root = f.root();
            assertEquals("3.5.0", root.stringAttribute("keras_version"));
            assertEquals("tensorflow", root.optStringAttribute("backend").orElseThrow());
            assertTrue(root.optStringAttribute("no_such_attribute").isEmpty());
            Hdf5Group weights = root.group("model_weights");
            assertEquals(List.of("flatten_2", "dense_4", "dropout", "batch_normalization", "dense_5"),
                    weights.stringListAttribute("layer_names"));
            assertEquals(List.of("sequential_2/dense_4/kernel", "sequential_2/dense_4/bias"),
                    weights.group("dense_4").stringListAttribute("weight_names"));
            assertTrue(weights.hasDataset("dense_4/sequential_2/dense_4/kernel"));
            assertTrue(weights.hasGroup("dense_4/sequential_2"));
            assertArrayEquals(new long[] {784, 128}, weights.dataset("dense_4/sequential_2/dense_4/kernel").shape());
            Hdf5Dataset iteration = root.dataset("optimizer_weights/adam/iteration");
            assertArrayEquals(new long[0], iteration.shape());
            assertEquals("int64", iteration.dtype());
            assertEquals(1, iteration.elementCount());
            assertEquals(9375, iteration.readLongScalar());
        }
    }

    @Test
    void tfKeras224File() {
        try (Hdf5File f = Hdf5File.openRead(Hdf5TestSupport.corpus(TFKERAS))) {
            Hdf5Group weights = f.root().group("model_weights");
            assertEquals("2.2.4-tf", f.root().stringAttribute("keras_version"));
            assertEquals("2.2.4-tf", weights.stringAttribute("keras_version"));
            assertEquals(List.of("input_2", "dense_1", "activation_1", "dropout_1"), weights.stringListAttribute("layer_names"));
            assertEquals(List.of("dense_1/kernel:0", "dense_1/bias:0"), weights.group("dense_1").stringListAttribute("weight_names"));
            assertEquals(List.of(), weights.group("input_2").stringListAttribute("weight_names"));
            assertArrayEquals(new long[] {3, 6}, weights.dataset("dense_1/dense_1/kernel:0").shape());
        }
    }

    /** Every group, attribute and dataset of every corpus file reads as h5py reads it. */
    @Test
    void wholeCorpusMatchesH5py() {
        int datasets = 0;
        int attributes = 0;
        for (Path p : files) {
            JsonNode exp = expected.get(p.toString());
            try (Hdf5File f = Hdf5File.openRead(p)) {
                for (Iterator<Map.Entry<String, JsonNode>> it = exp.get("groups").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    Hdf5Group g = e.getKey().equals("/") ? f.root() : f.root().group(e.getKey().substring(1));
                    String where = p + " " + e.getKey();
                    assertEquals(Hdf5TestSupport.strings(e.getValue().get("members")), g.memberNames(), where);
                    List<String> attrNames = new ArrayList<>();
                    e.getValue().get("attrs").fieldNames().forEachRemaining(attrNames::add);
                    assertEquals(attrNames, g.attributeNames(), where);
                    for (String a : attrNames) {
                        JsonNode ea = e.getValue().get("attrs").get(a);
                        switch (ea.get("kind").asText()) {
                            case "scalar" -> assertEquals(ea.get("value").get(0).asText(), g.stringAttribute(a), where + " @" + a);
                            case "list" -> assertEquals(Hdf5TestSupport.strings(ea.get("value")), g.stringListAttribute(a), where + " @" + a);
                            case "empty" -> assertEquals(List.of(), g.stringListAttribute(a), where + " @" + a);
                            default -> { }
                        }
                        attributes++;
                    }
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = exp.get("datasets").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    Hdf5Dataset d = f.root().dataset(e.getKey().substring(1));
                    String where = p + " " + e.getKey();
                    assertArrayEquals(Hdf5TestSupport.longs(e.getValue().get("shape")), d.shape(), where);
                    assertEquals(e.getValue().get("dtype").asText(), d.dtype(), where);
                    assertEquals(e.getValue().get("sha").asText(), Hdf5TestSupport.sha256(d.readFloats()), where);
                    double[] doubles = d.readDoubles();
                    JsonNode first = e.getValue().get("first");
                    for (int i = 0; i < first.size(); i++) assertEquals(first.get(i).asDouble(), doubles[i], where);
                    datasets++;
                }
            }
        }
        assertTrue(datasets > 500 && attributes > 200, datasets + " datasets, " + attributes + " attributes");
    }
}
