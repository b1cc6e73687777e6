package org.kerasport.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.kerasport.format.KerasReader;
import org.kerasport.format.ReadOptions;
import org.kerasport.model.KerasModel;
import org.kerasport.train.FineTuner;
import org.kerasport.train.ModelEdits;
import org.kerasport.train.ModelOutputs;
import org.kerasport.train.data.DataSources;
import org.kerasport.train.data.ModelSignature;
import org.kerasport.train.data.TrainingData;
import org.kerasport.train.report.HistoryPlot;
import org.kerasport.train.report.Progress;
import org.kerasport.UsageException;

/** {@code kerasport finetune}: keep training a Keras model on the JVM and hand back the result with its history. */
final class FinetuneCommand implements Command {
    @Override
    public String name() {
        return "finetune";
    }

    @Override
    public String summary() {
        return "keep training a Keras model with its own optimizer, loss and weight decay (or overrides)";
    }

    @Override
    public String arguments() {
        return "MODEL --data TRAIN -o OUT";
    }

    @Override
    public String details() {
        return """
                The optimizer, loss, metrics and every regularizer come from the model's training config; each can be
                overridden. By default training continues from the optimizer state stored in the file (as Keras'
                load_model + fit); --fresh-optimizer starts from zero, as compiling anew does.

                TRAIN is data.npz (keys x/y, or model input and output names), x.npy,y.npy, train.csv (with --label),
                or file.h5:/group/x,file.h5:/group/y.

                Besides OUT it writes OUT's stem + -history.json (Keras History form), -history.csv, -history.png (the
                curves) and -weight-norms.csv (each weight's L2 norm before and after: what the decay did).

                Example:
                  kerasport finetune models/seed_mlp.keras --data models/seed_mlp_data.npz --epochs 5 -o tuned.zip
                """;
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("data").hasArg().argName("TRAIN").desc("training data (required)").build());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("OUT").desc("the trained model: .keras, .h5, .weights.h5 (Keras 3) or .zip (DL4J with Kerasport metadata) (required)").build());
        o.addOption(Option.builder().longOpt("label").hasArgs().argName("COLUMN").desc("CSV target column(s)").build());
        o.addOption(Option.builder().longOpt("val").hasArg().argName("VAL").desc("validation data (same forms as --data)").build());
        o.addOption(Option.builder().longOpt("validation-split").hasArg().argName("F").desc("use the last fraction F of --data for validation (Keras validation_split)").build());
        o.addOption(Option.builder().longOpt("epochs").hasArg().argName("N").desc("epochs to train (default 1)").build());
        o.addOption(Option.builder().longOpt("batch-size").hasArg().argName("N").desc("rows per batch (default 32)").build());
        o.addOption(Option.builder().longOpt("shuffle").hasArg().argName("true|false").desc("shuffle the rows every epoch (default true); false: the data's own order").build());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("N").desc("seed for shuffling and dropout (default 0)").build());
        o.addOption(Option.builder().longOpt("two-threads").hasArg().argName("true|false").desc("long runs of convolution models train each batch"
                + " as two halves on two threads (default true; the same steps up to float rounding); false: one thread, less memory").build());
        o.addOption(Option.builder().longOpt("optimizer").hasArg().argName("NAME").desc("replace the optimizer (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam, Lion) with Keras' defaults").build());
        o.addOption(Option.builder().longOpt("lr").hasArg().argName("X").desc("learning rate").build());
        o.addOption(Option.builder().longOpt("loss").hasArg().argName("NAME").desc("loss for every output (e.g. mean_squared_error)").build());
        o.addOption(Option.builder().longOpt("weight-decay").hasArg().argName("WD").desc("decoupled weight decay (AdamW-style, every trainable variable)").build());
        o.addOption(Option.builder().longOpt("l2").hasArgs().argName("λ|LAYER=λ").desc("Keras l2(λ) on every kernel, or on one layer's kernels (repeatable)").build());
        o.addOption(Option.builder().longOpt("l1").hasArg().argName("λ").desc("Keras l1(λ) on every kernel").build());
        o.addOption(Option.builder().longOpt("l2-scale").hasArg().argName("S").desc("multiply every existing l1 and l2 by S").build());
        o.addOption(Option.builder().longOpt("fresh-optimizer").desc("start from a zero optimizer state").build());
        o.addOption(Option.builder().longOpt("no-feature-cache").desc("compute a frozen base for every step (by default its outputs are computed once per row and kept, where that is exact)").build());
        o.addOption(Option.builder().longOpt("early-stopping").hasArg().argName("PATIENCE").desc("stop after PATIENCE epochs without improvement of val_loss (loss without validation); restores the best weights").build());
        o.addOption(Option.builder().longOpt("checkpoint-dir").hasArg().argName("DIR").desc("write a checkpoint after every epoch").build());
        o.addOption(Option.builder().longOpt("resume").desc("continue from the last checkpoint in --checkpoint-dir").build());
        o.addOption(Option.builder().longOpt("freeze").hasArgs().argName("NAME|REGEX|up-to:NAME").desc("make layers non-trainable (repeatable; OUTER/INNER: a layer inside a nested model)").build());
        o.addOption(Option.builder().longOpt("unfreeze").hasArgs().argName("NAME|REGEX|up-to:NAME|all").desc("make layers trainable (repeatable; OUTER/INNER: a layer inside a nested model)").build());
        o.addOption(Option.builder().longOpt("replace-head").hasArg().argName("N").desc("replace the Dense output layer by a new one with N units (Keras-style init, same activation) for new classes; starts a fresh optimizer").build());
        o.addOption(Option.builder().longOpt("spark").hasArg().argName("MASTER").desc("compute each batch's gradient on Spark (local[N], spark://host:port, ...): the same steps as a local run").build());
        o.addOption(Option.builder().longOpt("spark-partitions").hasArg().argName("K").desc("partitions the rows are spread over (default: Spark's default parallelism)").build());
        ModelArgs.addSourceOptions(o);
        o.addOption(Option.builder().longOpt("lenient").desc("drop what cannot be mapped exactly, with a warning each").build());
        o.addOption(Option.builder().longOpt("force").desc("replace existing output files").build());
        o.addOption(Option.builder().longOpt("quiet").desc("no progress output").build());
        return o;
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) {
        Path modelArg = ModelArgs.model(cl, "finetune");
        if (!cl.hasOption("data")) throw new UsageException("--data is required");
        if (!cl.hasOption("output")) throw new UsageException("-o/--output is required");
        Path modelPath = modelArg, target = Path.of(cl.getOptionValue("output"));
        boolean force = cl.hasOption("force");
        ModelOutputs outputs = ModelOutputs.next(target);
        outputs.check(force, modelPath);
        HistoryPlot.prepare(); // the plot's set-up on the idle core while the model loads and trains
        Path companion = ModelArgs.companion(cl);
        boolean lenient = cl.hasOption("lenient");
        KerasModel model = KerasReader.read(modelPath, new ReadOptions(companion, true, lenient));
        String originalOptimizer = model.training() == null || model.training().optimizer() == null ? null : model.training().optimizer().className();

        model = ModelEdits.training(model, cl.getOptionValue("optimizer"), OptionValues.doubleValue(cl, "lr"),
                OptionValues.doubleValue(cl, "weight-decay"), cl.getOptionValue("loss"));
        if (model.training() == null || model.training().losses().isEmpty())
            throw new UsageException(modelPath + " has no training config (it was saved uncompiled): give --optimizer and --loss");
        model = ModelEdits.penalties(model, penalties(cl));
        model = ModelEdits.trainable(model, list(cl, "freeze"), list(cl, "unfreeze"));
        if (cl.hasOption("replace-head"))
            model = ModelEdits.replaceHead(model, OptionValues.positiveInt(cl, "replace-head", 1), OptionValues.longValue(cl, "seed", 0));
        boolean optimizerChanged = cl.hasOption("optimizer") && !model.training().optimizer().className().equals(originalOptimizer);
        boolean trainableChanged = cl.hasOption("freeze") || cl.hasOption("unfreeze") || cl.hasOption("replace-head");
        if (!cl.hasOption("fresh-optimizer") && (optimizerChanged || trainableChanged))
            err.println("kerasport finetune: " + (optimizerChanged ? "the optimizer changed from " + originalOptimizer + " to "
                    + model.training().optimizer().className() : "the trainable layers changed (Keras recompiles then)")
                    + ": starting from a fresh optimizer state");

        ModelOutputs.refuseStringInputs(model, "finetune");
        ModelSignature sig = ModelOutputs.signature(model);
        List<String> labels = list(cl, "label");
        TrainingData train = DataSources.load(cl.getOptionValue("data"), labels, sig);
        FineTuner.Builder b = FineTuner.builder(model).data(train).lenient(lenient)
                .epochs(OptionValues.positiveInt(cl, "epochs", 1)).batchSize(OptionValues.positiveInt(cl, "batch-size", 32))
                .shuffle(OptionValues.bool(cl, "shuffle", true)).seed(OptionValues.longValue(cl, "seed", 0))
                .twoThreadSteps(OptionValues.bool(cl, "two-threads", true))
                .featureCache(!cl.hasOption("no-feature-cache"))
                .freshOptimizer(cl.hasOption("fresh-optimizer") || optimizerChanged || trainableChanged)
                .listener(Progress.forStream(err, cl.hasOption("quiet"), Progress.stderrIsTerminal()));
        if (cl.hasOption("val")) b.validation(DataSources.load(cl.getOptionValue("val"), labels, sig));
        if (cl.hasOption("validation-split")) b.validationSplit(OptionValues.doubleValue(cl, "validation-split"));
        if (cl.hasOption("early-stopping")) b.earlyStopping(OptionValues.nonNegativeInt(cl, "early-stopping"));
        if (cl.hasOption("checkpoint-dir")) b.checkpointDir(Path.of(cl.getOptionValue("checkpoint-dir")));
        b.resume(cl.hasOption("resume"));
        if (cl.hasOption("spark-partitions") && !cl.hasOption("spark")) throw new UsageException("--spark-partitions needs --spark MASTER");
        FineTuner.Result r;
        String where = "";
        try (org.kerasport.train.StepGradients spark = cl.hasOption("spark")
                ? spark(cl.getOptionValue("spark"), OptionValues.positiveInt(cl, "spark-partitions", 0))
                : null) {
            if (spark != null) {
                b.stepGradients(spark);
                where = "; gradients on " + spark;
            }
            r = b.build().run();
        }

        var o = model.training().optimizer();
        String how = String.format(java.util.Locale.ROOT, "kerasport finetune on %s: %d epoch(s), batch size %d, shuffle %s, seed %d; "
                        + "optimizer %s (learning_rate %s, weight_decay %s), loss %s; optimizer state %s%s",
                Path.of(cl.getOptionValue("data")).getFileName(), OptionValues.positiveInt(cl, "epochs", 1), OptionValues.positiveInt(cl, "batch-size", 32),
                OptionValues.bool(cl, "shuffle", true), OptionValues.longValue(cl, "seed", 0), o.className(),
                o.learningRate() != null ? o.learningRate() : "schedule", o.weightDecay(), model.training().losses().values().stream()
                        .map(l -> l.name()).distinct().toList(), r.optimizerState(), edits(cl) + where);
        for (String n : outputs.write(r, force, how, Main.version())) err.println("kerasport finetune: note: " + n);
        HistoryPlot.write(r.history(), outputs.plot(), "Fine-tuning " + modelPath.getFileName(), force);
        if (!cl.hasOption("quiet")) {
            out.println("Fine-tuned " + modelPath + " -> " + target);
            out.println("  optimizer state: " + r.optimizerState() + (r.stoppedEarly() ? "; stopped early, best weights restored" : ""));
            out.println("  feature cache: " + r.featureCache());
            for (org.kerasport.UnsupportedItem u : ImportCheck.trainingNotes(r.model()))
                out.println("  note: layer '" + u.layer() + "' (" + u.className() + "): " + u.reason());
            out.println("  history: " + outputs.historyJson() + ", " + outputs.historyCsv() + ", " + outputs.plot());
            out.println("  weight norms: " + outputs.norms() + "\n");
            out.print(r.norms().text());
        }
        for (var u : r.model().unsupported()) err.println("kerasport finetune: warning: dropped " + u);
        return 0;
    }

    /**
     * The Spark step ({@code org.kerasport.spark.SparkGradients.open}), looked up by name: Spark is a provided
     * dependency, on the class path only under bin/kerasport --spark (target/spark-lib) or spark-submit.
     */
    private static org.kerasport.train.StepGradients spark(String master, int partitions) {
        java.lang.reflect.Method open;
        try {
            open = Class.forName("org.kerasport.spark.SparkGradients").getMethod("open", String.class, int.class);
        } catch (ClassNotFoundException | LinkageError | NoSuchMethodException e) {
            throw new UsageException("--spark needs Apache Spark on the class path, which bin/kerasport adds (target/spark-lib)"
                    + " and spark-submit brings: run through one of them (" + e + ")");
        }
        try {
            return (org.kerasport.train.StepGradients) open.invoke(null, master, partitions);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error er) throw er;
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String edits(CommandLine cl) {
        StringBuilder sb = new StringBuilder();
        for (String opt : List.of("l2", "l1", "l2-scale", "weight-decay", "optimizer", "lr", "loss", "freeze", "unfreeze"))
            if (cl.hasOption(opt)) sb.append(sb.length() == 0 ? "; edits: " : ", ").append("--").append(opt).append(' ')
                    .append(String.join(" ", cl.getOptionValues(opt)));
        if (cl.hasOption("early-stopping")) sb.append("; early stopping, patience ").append(cl.getOptionValue("early-stopping"));
        return sb.toString();
    }

    private static ModelEdits.Penalties penalties(CommandLine cl) {
        Double l2All = null;
        Map<String, Double> perLayer = new LinkedHashMap<>();
        if (cl.hasOption("l2"))
            for (String v : cl.getOptionValues("l2")) {
                int eq = v.indexOf('=');
                if (eq < 0) l2All = OptionValues.parseDouble("l2", v);
                else perLayer.put(v.substring(0, eq), OptionValues.parseDouble("l2", v.substring(eq + 1)));
            }
        return new ModelEdits.Penalties(l2All, OptionValues.doubleValue(cl, "l1"), perLayer, OptionValues.doubleValue(cl, "l2-scale"));
    }

    private static List<String> list(CommandLine cl, String opt) {
        List<String> out = new ArrayList<>();
        if (cl.hasOption(opt)) for (String v : cl.getOptionValues(opt)) out.add(v);
        return out;
    }
}
