package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.dl4j.layers.ChannelsOrderVertex;
import org.kerasport.dl4j.layers.KerasRandomTransform;
import org.kerasport.dl4j.layers.KerasReshapeVertex;
import org.kerasport.dl4j.loss.KerasBinaryCrossentropy;
import org.kerasport.dl4j.loss.KerasCategoricalCrossentropy;
import org.kerasport.dl4j.loss.KerasHuber;
import org.kerasport.dl4j.loss.KerasSparseCategoricalCrossentropy;

/**
 * Kerasport's own DL4J configuration classes survive DL4J's JSON form (its shaded Jackson, which ignores the
 * com.fasterxml annotations), through which DL4J copies configurations (KerasOutputLayer is built by such a copy) and
 * writes and reads DL4J zips: a field lost there silently changes what is trained (from_logits lost made a logits
 * head train on clipped "probabilities"; a lost loss weight or weight decay coefficient changes every step).
 */
@Tag("unit")
class ConfigJsonRoundTripTest {
    static Object roundTrip(Object o) throws Exception {
        var mapper = NeuralNetConfiguration.mapper();
        return mapper.readValue(mapper.writeValueAsString(o), o.getClass());
    }

    @Test
    void lossesKeepFromLogitsWeightAndDelta() throws Exception {
        for (Object o : new Object[]{new KerasBinaryCrossentropy(true, 0.5), new KerasCategoricalCrossentropy(true, 0.25),
                new KerasSparseCategoricalCrossentropy(true, 2.0), new KerasHuber(2.5, 0.5)})
            assertEquals(o, roundTrip(o), o.getClass().getSimpleName() + ": " + NeuralNetConfiguration.mapper().writeValueAsString(o));
    }

    @Test
    void weightDecayKeepsItsCoefficient() throws Exception {
        DecoupledWeightDecay d = new DecoupledWeightDecay(0.004);
        assertEquals(0.004, ((DecoupledWeightDecay) roundTrip(d)).getCoefficient());
    }

    @Test
    void verticesAndAugmentationKeepTheirSettings() throws Exception {
        assertEquals(true, ((ChannelsOrderVertex) roundTrip(new ChannelsOrderVertex(true))).isToChannelsFirst());
        KerasReshapeVertex r = (KerasReshapeVertex) roundTrip(KerasReshapeVertex.rows(7));
        assertEquals(true, r.isRows());
        assertEquals(7, r.getTarget()[0]);
        KerasRandomTransform t = KerasRandomTransform.affine("rot", KerasRandomTransform.ROTATION, -0.1, 0.2, 0.3, 0.4, true,
                "wrap", "nearest", -0.5);
        assertEquals(t, roundTrip(t));
        KerasRandomTransform c = KerasRandomTransform.crop("crop", 5, 6);
        assertEquals(c, roundTrip(c));
    }
}
