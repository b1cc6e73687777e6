package org.kerasport.format;

import java.util.Map;
import java.util.Set;
import org.kerasport.format.kinds.LayerKind;
import org.kerasport.format.kinds.LayerKinds;

/**
 * The Keras layer classes Kerasport knows by name (Keras 1 to 3), with their older names: a view of
 * {@link LayerKinds}, the one table of {@link LayerKind} entries. Knowing a class here means it can be read and
 * inspected; whether it can be mapped onto DL4J is the import's business.
 */
public final class LayerCatalog {
    private LayerCatalog() {
    }

    /** Old or alternative class names and the Keras 2/3 class they denote (each {@link LayerKind}'s aliases). */
    public static final Map<String, String> ALIASES = LayerKinds.aliases();

    /** Class names of models used as layers (or as the top level). */
    public static final Set<String> MODELS = Set.of("Sequential", "Functional", "Model");

    /** The module prefix of Keras 3's operation layers (a keras.ops call on a symbolic tensor, saved as a layer). */
    public static final String OPS_MODULE = "keras.src.ops.";
    /** The config field where the reader keeps an operation layer's positional arguments (tensors as placeholders). */
    public static final String CALL_ARGS = "__call_args__";
    /** The operation layers Kerasport computes, as {@code ops.<module>.<Class>}. */
    public static final Set<String> OPS = Set.copyOf(LayerKinds.names().stream().filter(n -> n.startsWith("ops.")).toList());

    /** The canonical name of an operation layer: {@code ops.numpy.Add} for class Add of module keras.src.ops.numpy. */
    public static String opClass(String module, String className) {
        return "ops." + module.substring(OPS_MODULE.length()) + "." + className;
    }

    public static java.util.List<String> supportedOps() {
        return OPS.stream().sorted().toList();
    }

    /** Every Keras class Kerasport knows: one {@link LayerKind} each (format/kinds). */
    public static final Set<String> KNOWN = LayerKinds.names();

    /** Resource listing every layer class Keras ships (src/test/python/list_builtin_layers.py wrote it). */
    public static final String BUILT_IN_RESOURCE = "keras-builtin-layers.txt";

    private static final class BuiltIn {
        static final Set<String> NAMES = load();

        private static Set<String> load() {
            try (java.io.InputStream in = LayerCatalog.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
                if (in == null) throw new IllegalStateException("resource " + BUILT_IN_RESOURCE + " missing from the jar");
                Set<String> out = new java.util.TreeSet<>();
                for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n"))
                    if (!line.isBlank()) out.add(line.strip());
                return java.util.Collections.unmodifiableSet(out);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** The layer class names Keras 1, 2, tf.keras and 3 ship (keras.layers and keras.applications), sorted. */
    public static Set<String> builtIn() {
        return BuiltIn.NAMES;
    }

    /** True when Keras itself ships a layer class of this name (written or canonical); otherwise it is custom code. */
    public static boolean isBuiltIn(String className) {
        return BuiltIn.NAMES.contains(className) || BuiltIn.NAMES.contains(canonical(className));
    }

    /** The Keras 2/3 class name for a written class name (aliases resolved), or the name itself. */
    public static String canonical(String writtenClassName) {
        return ALIASES.getOrDefault(writtenClassName, writtenClassName);
    }

    public static boolean isKnown(String canonicalClassName) {
        return KNOWN.contains(canonicalClassName);
    }

    /** Keras' {@code to_snake_case}: the group name a class gets in a {@code .keras} weights file. */
    public static String snakeCase(String className) {
        return LayerKinds.snakeCase(className);
    }
}
