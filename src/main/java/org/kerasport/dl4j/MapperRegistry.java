package org.kerasport.dl4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.kerasport.dl4j.mappers.AttentionMappers;
import org.kerasport.dl4j.mappers.ConvMappers;
import org.kerasport.dl4j.mappers.CoreMappers;
import org.kerasport.dl4j.mappers.RecurrentMappers;

/** The one table of layer mappers, keyed by Keras class name. Custom mappers registered first win. */
public final class MapperRegistry {
    private final Map<String, LayerMapper> byClass = new HashMap<>();

    public MapperRegistry(List<LayerMapper> custom) {
        for (LayerMapper m : custom) register(m);
        for (LayerMapper m : builtIn()) register(m);
    }

    public static MapperRegistry defaults() {
        return new MapperRegistry(List.of());
    }

    private static List<LayerMapper> builtIn() {
        List<LayerMapper> all = new java.util.ArrayList<>(List.of(
                new CoreMappers.Dense(), new CoreMappers.Activation(), new CoreMappers.DropoutFamily(),
                new CoreMappers.Reshaping(), new CoreMappers.Merge()));
        all.addAll(ConvMappers.all());
        all.addAll(RecurrentMappers.all());
        all.addAll(AttentionMappers.all());
        all.addAll(org.kerasport.dl4j.mappers.RandomLayerMappers.all());
        return all;
    }

    private void register(LayerMapper m) {
        for (String c : m.classNames()) byClass.putIfAbsent(c, m);
    }

    public LayerMapper get(String className) {
        return byClass.get(className);
    }

    public String supportedList() {
        return String.join(", ", new TreeSet<>(byClass.keySet()));
    }
}
