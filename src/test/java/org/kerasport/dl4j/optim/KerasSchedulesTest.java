package org.kerasport.dl4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The schedules against the values real Keras reports at iterations 0..50 (within 1e-7 relative; in practice they are
 * bit-identical, which the output lists), the factory, and their JSON.
 */
@Tag("interop")
class KerasSchedulesTest {
    static final double RELATIVE = 1e-7;
    static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyScheduleEqualsKerasAtIterations0To50() {
        JsonNode schedules = KerasTrajectories.data().get("schedules");
        assertTrue(schedules.size() >= 16, "the script produced " + schedules.size() + " schedules");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode s : schedules)
            tests.add(DynamicTest.dynamicTest(s.get("name").asText(), () -> check(s.get("name").asText(),
                    KerasSchedules.fromKeras(s.get("serialized")), s.get("values"))));
        return tests.stream();
    }

    /** Keras 1/2 {@code decay}: lr/(1 + decay·iterations), which is Keras 3's InverseTimeDecay(lr, 1, decay). */
    @Test
    void legacyDecayEqualsKerasInverseTimeDecayWithOneStep() {
        for (JsonNode s : KerasTrajectories.data().get("schedules")) {
            if (!s.get("name").asText().equals("legacy_decay")) continue;
            JsonNode c = s.get("serialized").get("config");
            assertEquals(1.0, c.get("decay_steps").asDouble());
            check("legacy_decay", KerasSchedules.legacyDecay(c.get("initial_learning_rate").asDouble(),
                    c.get("decay_rate").asDouble()), s.get("values"));
            return;
        }
        fail("no legacy_decay schedule in the Keras data");
    }

    private static void check(String name, ISchedule schedule, JsonNode want) {
        assertEquals(51, want.size());
        int exact = 0;
        for (int i = 0; i < want.size(); i++) {
            double w = want.get(i).asDouble(), got = schedule.valueAt(i, 0);
            if (!(Math.abs(got - w) <= RELATIVE * Math.abs(w)))
                fail(String.format(Locale.ROOT, "%s at iteration %d: Java %s, Keras %s", name, i, got, w));
            if (got == w) exact++;
            assertEquals(got, schedule.valueAt(i, 17), "the epoch must not matter");
        }
        // observed: 51/51 for every schedule (float32 arithmetic in Keras' order); asserted: the 1e-7 relative above
        System.out.printf(Locale.ROOT, "  %-24s %d/51 bit-identical to Keras%n", name, exact);
    }

    @Test
    void tfKerasFormWithoutModuleAndPrefixedClassNames() throws Exception {
        KerasSchedules.KerasSchedule a = KerasSchedules.fromKeras(JSON.readTree(
                "{\"class_name\":\"ExponentialDecay\",\"config\":{\"initial_learning_rate\":0.1,\"decay_steps\":100,"
                        + "\"decay_rate\":0.9,\"staircase\":false,\"name\":null}}"));
        assertEquals(new KerasSchedules.ExponentialDecay(0.1, 100, 0.9, false), a);
        KerasSchedules.KerasSchedule b = KerasSchedules.fromKeras(JSON.readTree(
                "{\"class_name\":\"keras.optimizers.schedules>CosineDecay\",\"config\":{\"initial_learning_rate\":0.1,"
                        + "\"decay_steps\":10}}"));
        assertEquals(new KerasSchedules.CosineDecay(0.1, 10, 0.0, null, 0), b);
        // defaults of optional settings are Keras'
        assertEquals(new KerasSchedules.PolynomialDecay(0.1, 10, 0.0001, 1.0, false), KerasSchedules.fromKeras(JSON.readTree(
                "{\"class_name\":\"PolynomialDecay\",\"config\":{\"initial_learning_rate\":0.1,\"decay_steps\":10}}")));
        assertEquals(new KerasSchedules.CosineDecayRestarts(0.1, 10, 2.0, 1.0, 0.0), KerasSchedules.fromKeras(JSON.readTree(
                "{\"class_name\":\"CosineDecayRestarts\",\"config\":{\"initial_learning_rate\":0.1,\"first_decay_steps\":10}}")));
    }

    @Test
    void badSchedulesAreRejectedWithTheReason() throws Exception {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KerasSchedules.fromKeras(JSON.readTree(
                "{\"class_name\":\"MyCustomSchedule\",\"config\":{}}"))).getMessage().contains("MyCustomSchedule"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KerasSchedules.fromKeras(JSON.readTree(
                "{\"class_name\":\"ExponentialDecay\",\"config\":{\"initial_learning_rate\":0.1,\"decay_rate\":0.5}}")))
                .getMessage().contains("decay_steps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KerasSchedules.fromKeras(JSON.readTree(
                "{\"class_name\":\"ExponentialDecay\",\"config\":{\"initial_learning_rate\":0.1,\"decay_steps\":0,"
                        + "\"decay_rate\":0.5}}"))).getMessage().contains("decay_steps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KerasSchedules.fromKeras(JSON.readTree(
                "{\"class_name\":\"PiecewiseConstantDecay\",\"config\":{\"boundaries\":[1,2],\"values\":[0.1,0.2]}}")))
                .getMessage().contains("boundaries"));
        assertThrows(IllegalArgumentException.class, () -> KerasSchedules.fromKeras(JSON.readTree("0.01")));
    }

    /** Keras casts float boundaries to the int64 step: 2.5 acts as 2. */
    @Test
    void piecewiseBoundariesAreTruncatedLikeKeras() {
        ISchedule s = new KerasSchedules.PiecewiseConstantDecay(new double[] {2.5, 4}, new double[] {1, 0.5, 0.25});
        assertEquals(1.0, s.valueAt(2, 0));
        assertEquals(0.5, s.valueAt(3, 0));
        assertEquals(0.5, s.valueAt(4, 0));
        assertEquals(0.25, s.valueAt(5, 0));
    }

    /** ND4J's (shaded) Jackson, the mapper of DL4J configurations, writes and reads every schedule. */
    @Test
    void everyScheduleSurvivesNd4jJson() throws Exception {
        List<ISchedule> all = List.of(new KerasSchedules.ExponentialDecay(0.1, 7, 0.8, true),
                new KerasSchedules.InverseTimeDecay(0.1, 3, 0.5, false),
                new KerasSchedules.PiecewiseConstantDecay(new double[] {5, 12}, new double[] {1, 0.5, 0.1}),
                new KerasSchedules.PolynomialDecay(0.2, 15, 0.01, 3, true),
                new KerasSchedules.CosineDecay(0.0, 25, 0.1, 0.1, 10), new KerasSchedules.CosineDecay(0.1, 25, 0, null, 0),
                new KerasSchedules.CosineDecayRestarts(0.2, 3, 1.5, 0.7, 0.1), KerasSchedules.legacyDecay(0.01, 1e-3));
        var mapper = NeuralNetConfiguration.mapper();
        for (ISchedule s : all) {
            String json = mapper.writeValueAsString(s);
            assertTrue(json.contains("\"@class\""), json);
            ISchedule back = mapper.readValue(json, ISchedule.class);
            assertInstanceOf(s.getClass(), back);
            assertEquals(s, back, json);
            for (int i = 0; i < 40; i++) assertEquals(s.valueAt(i, 0), back.valueAt(i, 0));
            ISchedule copy = s.clone();
            assertNotSame(s, copy);
            assertEquals(s, copy);
        }
    }
}
