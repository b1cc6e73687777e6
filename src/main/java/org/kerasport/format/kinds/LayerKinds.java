package org.kerasport.format.kinds;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The one table of {@link LayerKind}s, keyed by canonical Keras class name, with every older name resolved. Two
 * entries for one class, or an older name that is also a class or names two classes, is a programming error: this
 * class then fails to initialize (at start-up), naming both.
 */
public final class LayerKinds {
    private static final List<LayerKind> ALL = families();
    private static final Map<String, LayerKind> BY_NAME = Collections.unmodifiableMap(index(ALL));
    private static final Map<String, String> ALIASES = Collections.unmodifiableMap(aliases(ALL));

    private LayerKinds() {
    }

    private static List<LayerKind> families() {
        List<LayerKind> all = new ArrayList<>();
        all.addAll(CoreKinds.all());
        all.addAll(MergeKinds.all());
        all.addAll(ConvKinds.all());
        all.addAll(PoolingKinds.all());
        all.addAll(SpatialKinds.all());
        all.addAll(NormalizationKinds.all());
        all.addAll(RecurrentKinds.all());
        all.addAll(AttentionKinds.all());
        all.addAll(PreprocessingKinds.all());
        all.addAll(ApplicationKinds.all());
        all.addAll(ModelKinds.all());
        return List.copyOf(all);
    }

    /** Class name -> entry; a class listed twice is an error naming both entries' families. */
    public static Map<String, LayerKind> index(List<LayerKind> kinds) {
        Map<String, LayerKind> out = new TreeMap<>();
        for (LayerKind k : kinds) {
            LayerKind before = out.putIfAbsent(k.className(), k);
            if (before != null) throw new IllegalStateException("Keras class " + k.className() + " has two LayerKind entries");
        }
        return out;
    }

    /** Older name -> canonical class name; an older name that is a class, or names two, is an error. */
    public static Map<String, String> aliases(List<LayerKind> kinds) {
        Set<String> names = index(kinds).keySet();
        Map<String, String> out = new LinkedHashMap<>();
        for (LayerKind k : kinds)
            for (String a : k.aliases()) {
                if (names.contains(a))
                    throw new IllegalStateException("older name " + a + " of " + k.className() + " is itself a Keras class entry");
                String before = out.putIfAbsent(a, k.className());
                if (before != null)
                    throw new IllegalStateException("older name " + a + " is given to both " + before + " and " + k.className());
            }
        return out;
    }

    /** The entry of a canonical class name, or null when Kerasport does not know the class. */
    public static LayerKind get(String className) {
        return BY_NAME.get(className);
    }

    /** Every entry, in family order. */
    public static List<LayerKind> all() {
        return ALL;
    }

    /** Every canonical class name, sorted. */
    public static Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(BY_NAME.keySet()));
    }

    /** Older name -> canonical class name. */
    public static Map<String, String> aliases() {
        return ALIASES;
    }

    /** Keras' {@code to_snake_case}: the group name a class gets in a {@code .keras} weights file. */
    public static String snakeCase(String className) {
        return Cfg.snakeCase(className);
    }
}
