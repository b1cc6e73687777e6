package org.kerasport.export.dl4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.kerasport.UnsupportedItem;
import org.kerasport.format.Json;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * What a {@link LayerExporter} writes one DL4J layer into: the model's layer list (the layer's own entry already at its
 * end), the problems and notes of the whole export, the losses by network output, and this layer's name, input
 * {@link Flow}, preprocessor and position. An exporter sets the output flow ({@link #out}) and the weight moves
 * ({@link #weights}).
 */
public final class Emit {
    private final ArrayNode layers;
    private final List<UnsupportedItem> problems;
    private final List<String> notes;
    private final Map<String, String> losses;
    private String name, lossKey;
    private Flow in, out;
    private boolean output, readsInput;
    private InputPreProcessor pre;
    private ObjectNode entry;
    private Weights.Source weights;

    public Emit(ArrayNode layers, List<UnsupportedItem> problems, List<String> notes, Map<String, String> losses) {
        this.layers = layers;
        this.problems = problems;
        this.notes = notes;
        this.losses = losses;
    }

    /** Starts a DL4J layer: its Keras name, the key of its loss, what it reads, and where it stands. */
    public void start(String name, String lossKey, Flow in, InputPreProcessor pre, boolean output, boolean readsInput) {
        this.name = name;
        this.lossKey = lossKey;
        this.in = in;
        this.out = in;
        this.pre = pre;
        this.output = output;
        this.readsInput = readsInput;
        this.weights = null;
    }

    /** Adds the layer's own entry to the layer list (layers inserted {@link #before} it stay before it). */
    public ObjectNode open() {
        entry = layers.addObject().put("module", "keras.layers");
        return entry;
    }

    /** The layer's own entry (after {@link #open}). */
    public ObjectNode entry() {
        return entry;
    }

    public String name() {
        return name;
    }

    /** The flow the layer reads (after any Permute or Reshape inserted before it). */
    public Flow in() {
        return in;
    }

    /** The flow after the layer; its input flow unless set. */
    public Flow out() {
        return out;
    }

    public void out(Flow f) {
        out = f;
    }

    public InputPreProcessor pre() {
        return pre;
    }

    public boolean readsInput() {
        return readsInput;
    }

    public Weights.Source weights() {
        return weights;
    }

    /** How the generated layer's variables come out of the DL4J layer's parameters. */
    public void weights(Weights.Source s) {
        weights = s;
    }

    /** The layer's config, with Keras class {@code className}. */
    public ObjectNode config(String className) {
        return KerasJson.config(entry, className, name);
    }

    /** Inserts a complete entry before this layer's entry; the layer then reads {@code now}. */
    public void before(ObjectNode e, Flow now) {
        layers.insert(layers.size() - 1, e);
        in = now;
        out = now;
    }

    /** Appends a complete entry after this layer's (the layer's output goes through it). */
    public void after(ObjectNode e) {
        layers.add(e);
    }

    /** A sequence held NCW by DL4J goes through a Permute to Keras' [batch, time, features] before this layer. */
    public void permuteToNwc() {
        if (!in.nchw()) return;
        ObjectNode perm = Json.object().put("module", "keras.layers").put("class_name", "Permute");
        perm.putObject("config").put("name", name + "_to_nwc").put("trainable", true).put("dtype", "float32").putArray("dims").add(2).add(1);
        perm.putNull("registered_name");
        before(perm, in);
    }

    public void problem(String dl4jClass, String field, String message) {
        problems.add(new UnsupportedItem(name, dl4jClass, field, message));
    }

    public void note(String note) {
        notes.add(note);
    }

    /** Records the problem that {@code c} has no generated Keras counterpart (here: where it stands); null. */
    public ObjectNode noCounterpart(Layer c) {
        problem(c.getClass().getSimpleName(), "class",
                "no generated Keras counterpart for DL4J's " + c.getClass().getSimpleName() + " yet (Dense, Output, Dropout,"
                        + " Activation, Convolution (2-D, separable, depthwise, transposed), Subsampling, BatchNormalization, GlobalPooling,"
                        + " recurrent and the other layers in the README's export table have one)");
        return null;
    }

    /** Puts Keras' name for the activation in the config (and returns the config), or records that it has none. */
    public ObjectNode activation(ObjectNode lc, IActivation a, String dl4jClass) {
        String act = KerasJson.activation(a);
        if (act == null) problem(dl4jClass, "activation", "activation " + a + " has no Keras counterpart here");
        return lc.put("activation", act == null ? "linear" : act);
    }

    /** A Keras regularizer for DL4J's list (L2(c) is Keras l2(c/2)); JSON null when empty. */
    public JsonNode regularizer(List<Regularization> regs, String field) {
        return KerasJson.regularizer(regs, name, field, problems);
    }

    /** The loss of an output layer, by network output; a problem when the layer is no output or the loss has no counterpart. */
    public void loss(ILossFunction f, String dl4jClass, String notOutput) {
        if (!output) problem(dl4jClass, "position", notOutput);
        String lossName = KerasJson.loss(f);
        losses.put(lossKey, lossName);
        if (lossName == null) problem(dl4jClass, "lossFn", "loss " + f + " has no Keras counterpart here");
    }

    /** Keras' padding for a 2-D layer: "same", or "valid" (explicit padding recorded as a problem). */
    public String padding(ConvolutionMode mode, int[] pad) {
        if (mode == ConvolutionMode.Same) return "same";
        if (pad != null && (pad[0] != 0 || pad[1] != 0))
            problems.add(new UnsupportedItem(name, "padding", "padding", "explicit padding " + java.util.Arrays.toString(pad)
                    + " is not generated yet (ConvolutionMode.Same and no padding are)"));
        return "valid";
    }

    /** Keras' padding for a 3-D layer, as {@link #padding}. */
    public String padding3d(ConvolutionMode mode, int[] pad) {
        if (mode == ConvolutionMode.Same) return "same";
        if (pad != null && (pad[0] != 0 || pad[1] != 0 || pad[2] != 0))
            problems.add(new UnsupportedItem(name, "padding", "padding", "explicit padding " + java.util.Arrays.toString(pad)
                    + " is not generated yet (ConvolutionMode.Same and no padding are)"));
        return "valid";
    }

    /** "channels_first" or "channels_last" for the flow this layer reads. */
    public String dataFormat() {
        return in.nchw() ? "channels_first" : "channels_last";
    }
}
