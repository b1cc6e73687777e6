package org.kerasport.dl4j;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.format.Json;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A keras-reference case: its case.json and reference.npz, as ND4J arrays. */
record ReferenceData(Path dir, JsonNode caseJson, Map<String, NdArray> npz) {
    static ReferenceData load(Path dir) {
        try {
            return new ReferenceData(dir, Json.parse(Files.readString(dir.resolve("case.json")), dir, "case.json"),
                    Npy.readNpz(dir.resolve("reference.npz")));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    INDArray array(String key) {
        NdArray a = npz.get(key);
        if (a == null) throw new AssertionError(dir + ": no " + key + " in reference.npz (keys " + npz.keySet() + ")");
        return Nd4j.create(a.data(), a.shape(), 'c');
    }

    boolean has(String key) {
        return npz.containsKey(key);
    }

    double tolerance(String name, double dflt) {
        JsonNode t = caseJson.path("tolerance").get(name);
        return t == null ? dflt : t.asDouble();
    }
}
