package org.kerasport.dl4j.mappers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.kerasport.dl4j.LayerMapper;
import org.kerasport.dl4j.Layout;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.dl4j.layers.KerasLayerScale;
import org.kerasport.dl4j.layers.KerasRandomTransform;
import org.kerasport.format.Json;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.WeightSpec;

/**
 * The layers keras.applications registers for ConvNeXt ({@code LayerScale}, {@code StochasticDepth}) and the image
 * augmentation layers of the Keras transfer-learning guide. Augmentation is the identity at inference; in training
 * RandomFlip, RandomContrast, RandomBrightness, RandomRotation, RandomZoom, RandomTranslation and RandomCrop apply
 * their random transform (same distribution as Keras, not the same draws). A form Kerasport does not transform
 * (channels_first, a fill mode or interpolation Keras 3 does not have) stays the identity in training, which the
 * mapping reports as a training note ({@link #TRAINING_NOTE}).
 */
public final class RandomLayerMappers {
    /** Prefix of the mapping notes that name something fine-tuning does not reproduce (finetune and inspect --check show them). */
    public static final String TRAINING_NOTE = "training: ";

    private RandomLayerMappers() {
    }

    public static List<LayerMapper> all() {
        return List.of(new LayerScale(), new Augmentation());
    }

    static void trainingNote(MappingContext ctx, LayerSpec l, String what) {
        ctx.note(TRAINING_NOTE + "layer '" + l.name() + "' (" + l.className() + "): " + what);
    }

    /** LayerScale: x · gamma, one trainable gamma per channel (last axis). */
    public static final class LayerScale implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("LayerScale");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            Long[] in = ctx.shape(inputs.get(0));
            WeightSpec gamma = ConvSupport.byRole(l, "gamma");
            if (in == null || in.length < 2 || in[in.length - 1] == null || gamma == null
                    || gamma.shape().length != 1 || gamma.shape()[0] != in[in.length - 1]) {
                ctx.unsupported(l, "gamma", "LayerScale needs a known channel count (last axis) and its gamma of that size");
                return null;
            }
            ctx.addLayer(vertex, new KerasLayerScale(vertex, in[in.length - 1], ctx.regularization(gamma)), l.trainable(), in, inputs);
            ctx.bind(gamma.name(), vertex, "W", Layout.SAME);
            return vertex;
        }
    }

    /** StochasticDepth and the augmentation layers: the identity at inference, a random transform in training. */
    public static final class Augmentation implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("StochasticDepth", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
                    "RandomContrast", "RandomBrightness", "RandomCrop");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            JsonNode c = l.config();
            Long[] in = ctx.shape(inputs.get(0));
            boolean image = in != null && in.length == 4 && !"channels_first".equals(Json.text(c, "data_format"));
            KerasRandomTransform t = null;
            switch (l.className()) {
                case "StochasticDepth" -> {
                    double rate = Json.isPresent(c, "drop_path_rate") ? c.get("drop_path_rate").asDouble() : 0.0;
                    if (rate <= 0) return inputs.get(0);
                    t = KerasRandomTransform.stochasticDepth(vertex, rate);
                }
                case "RandomFlip" -> {
                    String mode = Json.isPresent(c, "mode") ? Json.text(c, "mode") : "horizontal_and_vertical";
                    if (image && (mode.equals("horizontal") || mode.equals("vertical") || mode.equals("horizontal_and_vertical")))
                        t = KerasRandomTransform.flip(vertex, mode.startsWith("horizontal"), mode.endsWith("vertical"));
                }
                case "RandomContrast", "RandomBrightness" -> {
                    double[] f = factor(c.get("factor"), l.className().equals("RandomContrast"));
                    JsonNode vr = c.get("value_range");
                    if (image && f != null && vr != null && vr.isArray() && vr.size() == 2)
                        t = KerasRandomTransform.intensity(vertex, l.className(), f[0], f[1], vr.get(0).asDouble(), vr.get(1).asDouble());
                }
                case "RandomRotation", "RandomZoom", "RandomTranslation" -> {
                    if (image) t = affine(l, vertex);
                }
                case "RandomCrop" -> {
                    if (image && c.path("height").canConvertToInt() && c.path("width").canConvertToInt()
                            && c.get("height").asInt() > 0 && c.get("width").asInt() > 0)
                        t = KerasRandomTransform.crop(vertex, c.get("height").asInt(), c.get("width").asInt());
                }
                default -> {
                }
            }
            if (t == null) {
                trainingNote(ctx, l, "the identity in training too: its random transform is not implemented yet, so "
                        + "fine-tuning sees un-augmented images (the identity at inference is exact)");
                return inputs.get(0);
            }
            if (!l.className().equals("StochasticDepth"))
                ctx.note(l.name() + " (" + l.className() + "): the identity at inference; in training a random transform "
                        + "drawn from the run's seed (Keras' distribution, not Keras' draws)");
            ctx.addLayer(vertex, t, true, in, inputs);
            return vertex;
        }

        /**
         * RandomRotation (factor), RandomZoom (height_factor, width_factor or null: one draw for both) and
         * RandomTranslation (height_factor, width_factor): a number f stands for (−|f|, |f|), a pair is sorted, as
         * Keras' _set_factor; fill_mode reflect/wrap/constant/nearest (default reflect), interpolation
         * bilinear/nearest (default bilinear), fill_value (default 0). Null for anything else.
         */
        private static KerasRandomTransform affine(LayerSpec l, String vertex) {
            JsonNode c = l.config();
            String fill = Json.isPresent(c, "fill_mode") ? Json.text(c, "fill_mode") : "reflect";
            String interp = Json.isPresent(c, "interpolation") ? Json.text(c, "interpolation") : "bilinear";
            if (!List.of("reflect", "wrap", "constant", "nearest").contains(fill) || !List.of("bilinear", "nearest").contains(interp))
                return null;
            double fillValue = Json.isPresent(c, "fill_value") && c.get("fill_value").isNumber() ? c.get("fill_value").asDouble() : 0.0;
            String kind = l.className();
            double[] a = bounds(c.get(kind.equals("RandomRotation") ? "factor" : "height_factor"));
            if (a == null) return null;
            double[] b = a;
            boolean same = false;
            if (kind.equals("RandomRotation")) {
                if (c.get("factor").isNumber()) a = new double[]{Math.max(a[0], -1.0), a[1]}; // as Keras' _set_factor
            } else if (kind.equals("RandomZoom") && !Json.isPresent(c, "width_factor")) {
                same = true;
            } else {
                b = bounds(c.get("width_factor"));
                if (b == null) return null;
            }
            return KerasRandomTransform.affine(vertex, kind, a[0], a[1], b[0], b[1], same, fill, interp, fillValue);
        }

        private static double[] bounds(JsonNode f) {
            if (f == null || f.isNull()) return null;
            if (f.isNumber()) return new double[]{-Math.abs(f.asDouble()), Math.abs(f.asDouble())};
            if (f.isArray() && f.size() == 2 && f.get(0).isNumber() && f.get(1).isNumber())
                return new double[]{Math.min(f.get(0).asDouble(), f.get(1).asDouble()), Math.max(f.get(0).asDouble(), f.get(1).asDouble())};
            return null;
        }

        /** Keras 3 stores (lower, upper); tf.keras may store one number f: contrast (f, f), brightness (−f, f). */
        private static double[] factor(JsonNode f, boolean contrast) {
            if (f == null || f.isNull()) return null;
            if (f.isNumber()) return contrast ? new double[]{f.asDouble(), f.asDouble()} : new double[]{-Math.abs(f.asDouble()), Math.abs(f.asDouble())};
            if (f.isArray() && f.size() == 2 && f.get(0).isNumber() && f.get(1).isNumber())
                return new double[]{f.get(0).asDouble(), f.get(1).asDouble()};
            return null;
        }
    }
}
