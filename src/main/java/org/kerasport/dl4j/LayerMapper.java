package org.kerasport.dl4j;

import java.util.List;
import java.util.Set;
import org.kerasport.model.LayerSpec;

/**
 * Maps one family of Keras layer classes onto DL4J vertices. One small class per family, in a family file of
 * {@code dl4j/mappers} whose {@code all()} lists it; {@link MapperRegistry} collects them into its one table, keyed
 * by the class names of the {@code format/kinds} entries. A mapper adds its vertices through the {@link MappingContext}, binds each Keras
 * variable to a DL4J parameter (the table import and export share) and returns the vertex producing the output.
 */
public interface LayerMapper {
    /** Keras class names (canonical, as in {@link LayerSpec#className()}) this mapper handles. */
    Set<String> classNames();

    /**
     * @param layer  the Keras layer
     * @param vertex the DL4J vertex name to use for the layer's (main) vertex
     * @param inputs the DL4J vertices producing the layer's inputs, in Keras order
     * @return the DL4J vertex producing the layer's output; null after reporting the layer as unsupported
     */
    String map(LayerSpec layer, String vertex, List<String> inputs, MappingContext ctx);

    /**
     * True when {@link #map} takes inputs that may be channels-first ({@link MappingContext#isChannelsFirst}) and
     * converts them itself; every other mapper gets its inputs as Keras lays them out.
     */
    default boolean takesChannelsFirst() {
        return false;
    }
}
