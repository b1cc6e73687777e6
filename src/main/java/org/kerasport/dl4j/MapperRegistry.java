package org.kerasport.dl4j;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.kerasport.dl4j.mappers.AttentionMappers;
import org.kerasport.dl4j.mappers.ConvMappers;
import org.kerasport.dl4j.mappers.CoreMappers;
import org.kerasport.dl4j.mappers.NormalizationMappers;
import org.kerasport.dl4j.mappers.OpMappers;
import org.kerasport.dl4j.mappers.PoolingMappers;
import org.kerasport.dl4j.mappers.RandomLayerMappers;
import org.kerasport.dl4j.mappers.RecurrentMappers;
import org.kerasport.dl4j.mappers.SpatialMappers;

/**
 * The one table of layer mappers, keyed by Keras class name.
 *
 * <p>Each built-in Keras class has exactly one built-in mapper: two built-in mappers claiming the same class is a
 * programming error, and this class fails to initialize (at start-up) naming both. Custom mappers given to
 * {@link #MapperRegistry(List)} deliberately override the built-in mapper of a class they name; two custom mappers
 * naming the same class are refused, since neither would clearly win.
 */
public final class MapperRegistry {
    private static final Map<String, LayerMapper> BUILT_IN = Collections.unmodifiableMap(index(builtIn(), "built-in"));

    private final Map<String, LayerMapper> byClass;

    /** The built-in mappers, with {@code custom} mappers replacing the built-in mapper of each class they name. */
    public MapperRegistry(List<LayerMapper> custom) {
        byClass = new HashMap<>(BUILT_IN);
        byClass.putAll(index(custom, "custom"));
    }

    public static MapperRegistry defaults() {
        return new MapperRegistry(List.of());
    }

    /** Every mapper family in dl4j/mappers: each lists its mappers in its {@code all()}. */
    private static List<LayerMapper> builtIn() {
        List<LayerMapper> all = new java.util.ArrayList<>();
        all.addAll(CoreMappers.all());
        all.addAll(ConvMappers.all());
        all.addAll(PoolingMappers.all());
        all.addAll(SpatialMappers.all());
        all.addAll(NormalizationMappers.all());
        all.addAll(RecurrentMappers.all());
        all.addAll(AttentionMappers.all());
        all.addAll(org.kerasport.dl4j.mappers.TextAttentionMappers.all());
        all.addAll(RandomLayerMappers.all());
        all.addAll(OpMappers.all());
        all.addAll(org.kerasport.dl4j.mappers.PreprocessingMappers.all());
        return all;
    }

    /** Class name -> mapper; a class claimed by two of {@code mappers} is an error naming both. */
    private static Map<String, LayerMapper> index(List<LayerMapper> mappers, String kind) {
        Map<String, LayerMapper> out = new LinkedHashMap<>();
        for (LayerMapper m : mappers)
            for (String c : m.classNames()) {
                LayerMapper before = out.putIfAbsent(c, m);
                if (before != null)
                    throw new IllegalStateException("Keras class " + c + " has two " + kind + " mappers: "
                            + before.getClass().getName() + " and " + m.getClass().getName());
            }
        return out;
    }

    public LayerMapper get(String className) {
        return byClass.get(className);
    }

    /** The Keras class names this registry maps (built-in and custom). */
    public Set<String> classNames() {
        return Collections.unmodifiableSet(new TreeSet<>(byClass.keySet()));
    }

    public String supportedList() {
        return String.join(", ", new TreeSet<>(byClass.keySet()));
    }
}
