package org.kerasport.format;

import java.util.Map;
import java.util.Set;

/**
 * The Keras layer classes Kerasport knows by name (Keras 1 to 3), with the class aliases written out
 * (one table, frugally-deep style). Knowing a class here means it can be read and inspected; whether it can be
 * mapped onto DL4J is the import's business.
 */
public final class LayerCatalog {
    private LayerCatalog() {
    }

    /** Old or alternative class names and the Keras 2/3 class they denote. */
    public static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("Convolution1D", "Conv1D"),
            Map.entry("Convolution2D", "Conv2D"),
            Map.entry("Convolution3D", "Conv3D"),
            Map.entry("AtrousConvolution1D", "Conv1D"),
            Map.entry("AtrousConvolution2D", "Conv2D"),
            Map.entry("Deconvolution2D", "Conv2DTranspose"),
            Map.entry("Deconvolution3D", "Conv3DTranspose"),
            Map.entry("Convolution2DTranspose", "Conv2DTranspose"),
            Map.entry("SeparableConvolution1D", "SeparableConv1D"),
            Map.entry("SeparableConvolution2D", "SeparableConv2D"),
            Map.entry("DepthwiseConvolution2D", "DepthwiseConv2D"),
            Map.entry("TimeDistributedDense", "Dense"), // Keras 2+ Dense on a 3-D input is the same computation
            Map.entry("MaxPool1D", "MaxPooling1D"),
            Map.entry("MaxPool2D", "MaxPooling2D"),
            Map.entry("MaxPool3D", "MaxPooling3D"),
            Map.entry("AvgPool1D", "AveragePooling1D"),
            Map.entry("AvgPool2D", "AveragePooling2D"),
            Map.entry("AvgPool3D", "AveragePooling3D"),
            Map.entry("GlobalMaxPool1D", "GlobalMaxPooling1D"),
            Map.entry("GlobalMaxPool2D", "GlobalMaxPooling2D"),
            Map.entry("GlobalMaxPool3D", "GlobalMaxPooling3D"),
            Map.entry("GlobalAvgPool1D", "GlobalAveragePooling1D"),
            Map.entry("GlobalAvgPool2D", "GlobalAveragePooling2D"),
            Map.entry("GlobalAvgPool3D", "GlobalAveragePooling3D"),
            // issue 17: Keras 3 exports the class GroupedQueryAttention as keras.layers.GroupQueryAttention and writes
            // that name in configs (its .keras weights group still follows the class: grouped_query_attention)
            Map.entry("GroupQueryAttention", "GroupedQueryAttention"),
            Map.entry("Model", "Functional"));

    /** Class names of models used as layers (or as the top level). */
    public static final Set<String> MODELS = Set.of("Sequential", "Functional", "Model");

    /** The module prefix of Keras 3's operation layers (a keras.ops call on a symbolic tensor, saved as a layer). */
    public static final String OPS_MODULE = "keras.src.ops.";
    /** The config field where the reader keeps an operation layer's positional arguments (tensors as placeholders). */
    public static final String CALL_ARGS = "__call_args__";
    /** The operation layers Kerasport computes, as {@code ops.<module>.<Class>}. */
    public static final Set<String> OPS = Set.of("ops.numpy.Add", "ops.numpy.Subtract", "ops.numpy.Multiply",
            "ops.numpy.Divide", "ops.numpy.TrueDivide");

    /** The canonical name of an operation layer: {@code ops.numpy.Add} for class Add of module keras.src.ops.numpy. */
    public static String opClass(String module, String className) {
        return "ops." + module.substring(OPS_MODULE.length()) + "." + className;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }

    public static java.util.List<String> supportedOps() {
        return OPS.stream().sorted().toList();
    }

    public static final Set<String> KNOWN = union(OPS, Set.of(
            // core
            "InputLayer", "Dense", "EinsumDense", "Activation", "Embedding", "Masking", "Lambda", "Identity",
            "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout",
            "AlphaDropout", "ActivityRegularization", "Flatten", "Reshape", "Permute", "RepeatVector", "Cropping1D",
            "Cropping2D", "Cropping3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "UpSampling1D", "UpSampling2D",
            "UpSampling3D", "Highway", "MaxoutDense", "Merge",
            // convolution
            "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "SeparableConv1D",
            "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D", "LocallyConnected1D", "LocallyConnected2D",
            // pooling
            "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
            "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling1D",
            "GlobalAveragePooling2D", "GlobalAveragePooling3D",
            // recurrent
            "LSTM", "GRU", "SimpleRNN", "CuDNNLSTM", "CuDNNGRU", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "RNN",
            "Bidirectional", "TimeDistributed", "LSTMCell", "GRUCell", "SimpleRNNCell", "StackedRNNCells",
            // normalization
            "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
            "SyncBatchNormalization", "SpectralNormalization",
            // activations as layers
            "ReLU", "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax",
            // merging
            "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
            // attention
            "Attention", "AdditiveAttention", "MultiHeadAttention", "GroupedQueryAttention",
            // preprocessing that carries state or math
            "Rescaling", "Normalization", "CenterCrop", "Resizing",
            // keras.applications' InceptionResNetV2: inputs[0] + inputs[1] * scale
            "CustomScaleLayer",
            // augmentation (identity at inference)
            "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness",
            "RandomCrop",
            // layers keras.applications registers (ConvNeXt)
            "LayerScale", "StochasticDepth",
            // models
            "Sequential", "Functional")); // Model is an alias of Functional (ALIASES)

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
        String n = className.replaceAll("\\W+", "");
        n = n.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        n = n.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
        return n;
    }
}
