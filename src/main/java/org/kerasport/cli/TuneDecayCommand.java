package org.kerasport.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.kerasport.format.KerasReader;
import org.kerasport.format.ReadOptions;
import org.kerasport.model.KerasModel;
import org.kerasport.train.DecaySearch;
import org.kerasport.train.FineTuner;
import org.kerasport.train.ModelEdits;
import org.kerasport.train.ModelOutputs;
import org.kerasport.train.data.DataSources;
import org.kerasport.train.data.ModelSignature;
import org.kerasport.train.data.TrainingData;
import org.kerasport.train.report.DecaySearchReport;
import org.kerasport.train.report.HistoryPlot;
import org.kerasport.train.report.Progress;
import org.kerasport.train.report.SearchProgress;
import org.kerasport.util.AtomicFiles;
import org.kerasport.UsageException;
import org.kerasport.FileAccessException;

/** {@code kerasport tune-decay}: choose the weight-decay factor by cross-validation. */
final class TuneDecayCommand implements Command {
    static final String CSV = "tune-decay.csv", FOLDS_CSV = "tune-decay-folds.csv", PLOT = "tune-decay.png";

    @Override
    public String name() {
        return "tune-decay";
    }

    @Override
    public String summary() {
        return "choose the weight-decay factor (L2, L1 or decoupled) by cross-validation";
    }

    @Override
    public String arguments() {
        return "MODEL --data TRAIN (--folds K | --val VAL) (--values L,... | --grid log:LO:HI:N)";
    }

    @Override
    public String details() {
        return """
                For every --penalty and λ, the model gets that penalty (Keras l2(λ)/l1(λ) on the scoped kernels, or the
                optimizer's weight_decay=λ) and is fine-tuned on each fold from the file's weights with a fresh
                optimizer, then scored on the fold's validation rows by the loss WITHOUT penalty terms. Prints mean ±
                sd per setting and marks the lowest mean validation loss.

                Folds come from the data's order: stratified (rows sorted stably by class, dealt round-robin) for
                one-hot or class-id targets, contiguous blocks otherwise (scikit-learn KFold without shuffling).

                Example:
                  kerasport tune-decay models/seed_mlp.keras --data models/seed_mlp_train.npz --folds 5 \\
                      --grid log:1e-5:1e-1:5 --epochs 5 --penalty l2 --penalty decoupled --out-dir tune
                """;
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("data").hasArg().argName("TRAIN").desc("training data (required; forms as finetune)").build());
        o.addOption(Option.builder().longOpt("label").hasArgs().argName("COLUMN").desc("CSV target column(s)").build());
        o.addOption(Option.builder().longOpt("folds").hasArg().argName("K").desc("K-fold cross-validation on TRAIN").build());
        o.addOption(Option.builder().longOpt("val").hasArg().argName("VAL").desc("one split instead: train on all of TRAIN, validate on VAL").build());
        o.addOption(Option.builder().longOpt("values").hasArg().argName("L,L,...").desc("the λ values, e.g. 1e-5,1e-4,1e-3 (0 allowed)").build());
        o.addOption(Option.builder().longOpt("grid").hasArg().argName("log:LO:HI:N").desc("N log-spaced λ values from LO to HI, both included").build());
        o.addOption(Option.builder().longOpt("penalty").hasArg().argName("l2|l1|decoupled").desc("what λ sets (repeatable or comma-separated, compared side by side; default l2)").build());
        o.addOption(Option.builder().longOpt("scope").hasArg().argName("all|LAYER").desc("layers whose kernels get the l2/l1 penalty (repeatable or comma-separated; default all: every layer with a kernel)").build());
        o.addOption(Option.builder().longOpt("epochs").hasArg().argName("N").desc("epochs per fit (default 1)").build());
        o.addOption(Option.builder().longOpt("batch-size").hasArg().argName("N").desc("rows per batch (default 32)").build());
        o.addOption(Option.builder().longOpt("shuffle").hasArg().argName("true|false").desc("shuffle the rows every epoch (default true)").build());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("N").desc("seed of the batch order, the same for every fit (default 0)").build());
        o.addOption(Option.builder().longOpt("optimizer").hasArg().argName("NAME").desc("replace the optimizer (Keras defaults)").build());
        o.addOption(Option.builder().longOpt("lr").hasArg().argName("X").desc("learning rate").build());
        o.addOption(Option.builder().longOpt("loss").hasArg().argName("NAME").desc("loss for every output").build());
        o.addOption(Option.builder().longOpt("fresh-optimizer").desc("every fit starts from a zero optimizer state (the default)").build());
        o.addOption(Option.builder().longOpt("continue-optimizer").desc("every fit continues the optimizer state stored in the file instead").build());
        o.addOption(Option.builder().longOpt("threads").hasArg().argName("N").desc("fits trained at once (default " + DecaySearch.DEFAULT_THREADS + "; results do not depend on it)").build());
        o.addOption(Option.builder().longOpt("out-dir").hasArg().argName("DIR").desc("write " + CSV + ", " + FOLDS_CSV + " and " + PLOT + " there").build());
        o.addOption(Option.builder().longOpt("json").desc("print one JSON object instead of the table").build());
        o.addOption(Option.builder().longOpt("refit").desc("then fine-tune on all of TRAIN with the best setting and write it to -o").build());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("OUT.zip").desc("the refit model (with --refit), as finetune -o").build());
        ModelArgs.addSourceOptions(o);
        o.addOption(Option.builder().longOpt("lenient").desc("drop what cannot be mapped exactly, with a warning each").build());
        o.addOption(Option.builder().longOpt("force").desc("replace existing output files").build());
        o.addOption(Option.builder().longOpt("quiet").desc("no progress output").build());
        return o;
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) {
        Path modelArg = ModelArgs.model(cl, "tune-decay");
        if (!cl.hasOption("data")) throw new UsageException("--data is required");
        if (cl.hasOption("folds") == cl.hasOption("val")) throw new UsageException("give --folds K or --val VAL (one of them)");
        if (cl.hasOption("values") == cl.hasOption("grid")) throw new UsageException("give --values or --grid (one of them)");
        if (cl.hasOption("refit") != cl.hasOption("output")) throw new UsageException("--refit and -o go together");
        if (cl.hasOption("fresh-optimizer") && cl.hasOption("continue-optimizer"))
            throw new UsageException("--fresh-optimizer and --continue-optimizer contradict each other");
        Path modelPath = modelArg;
        boolean force = cl.hasOption("force");

        List<Double> lambdas = new ArrayList<>();
        if (cl.hasOption("values")) for (String v : cl.getOptionValue("values").split(",")) lambdas.add(OptionValues.parseDouble("values", v.trim()));
        else lambdas.addAll(DecaySearch.logGrid(cl.getOptionValue("grid")));
        List<DecaySearch.Penalty> penalties = new ArrayList<>();
        if (cl.hasOption("penalty")) for (String p : split(cl.getOptionValues("penalty"))) {
            DecaySearch.Penalty x = DecaySearch.Penalty.parse(p);
            if (!penalties.contains(x)) penalties.add(x);
        }
        if (penalties.isEmpty()) penalties.add(DecaySearch.Penalty.L2);

        // every output is checked before the search starts: no hour of training lost to a name clash
        Path outDir = cl.hasOption("out-dir") ? Path.of(cl.getOptionValue("out-dir")) : null;
        if (outDir != null) {
            try {
                Files.createDirectories(outDir);
            } catch (IOException e) {
                throw new FileAccessException(outDir + ": cannot create the directory: " + e.getMessage(), e);
            }
            for (String f : List.of(CSV, FOLDS_CSV, PLOT)) AtomicFiles.checkTarget(outDir.resolve(f), force, modelPath);
        }
        ModelOutputs refitOut = cl.hasOption("output") ? ModelOutputs.next(Path.of(cl.getOptionValue("output"))) : null;
        if (refitOut != null) refitOut.check(force, modelPath);

        Path companion = ModelArgs.companion(cl);
        boolean lenient = cl.hasOption("lenient");
        KerasModel model = KerasReader.read(modelPath, new ReadOptions(companion, true, lenient));
        model = ModelEdits.training(model, cl.getOptionValue("optimizer"), OptionValues.doubleValue(cl, "lr"), null, cl.getOptionValue("loss"));
        if (model.training() == null || model.training().losses().isEmpty())
            throw new UsageException(modelPath + " has no training config (it was saved uncompiled): give --optimizer and --loss");
        List<String> scope = null;
        if (cl.hasOption("scope")) {
            List<String> s = split(cl.getOptionValues("scope"));
            if (!s.contains("all")) scope = s;
        }
        ModelOutputs.refuseStringInputs(model, "tune-decay");
        ModelSignature sig = ModelOutputs.signature(model);
        List<String> labels = cl.hasOption("label") ? List.of(cl.getOptionValues("label")) : List.of();
        TrainingData train = DataSources.load(cl.getOptionValue("data"), labels, sig);
        TrainingData val = cl.hasOption("val") ? DataSources.load(cl.getOptionValue("val"), labels, sig) : null;
        int epochs = OptionValues.positiveInt(cl, "epochs", 1), batch = OptionValues.positiveInt(cl, "batch-size", 32);
        boolean shuffle = OptionValues.bool(cl, "shuffle", true), fresh = !cl.hasOption("continue-optimizer");
        long seed = OptionValues.longValue(cl, "seed", 0);

        DecaySearch.Builder b = DecaySearch.builder(model).data(train).lambdas(lambdas).penalties(penalties).scope(scope)
                .epochs(epochs).batchSize(batch).shuffle(shuffle).seed(seed).freshOptimizer(fresh).lenient(lenient)
                .threads(OptionValues.positiveInt(cl, "threads", DecaySearch.DEFAULT_THREADS))
                .listener(SearchProgress.forStream(err, cl.hasOption("quiet"), Progress.stderrIsTerminal()));
        if (val != null) b.validation(val);
        else b.folds(OptionValues.positiveInt(cl, "folds", 5));
        DecaySearch.Result r = b.build().run();

        if (outDir != null) {
            DecaySearchReport.writeCsv(r, outDir.resolve(CSV), force);
            DecaySearchReport.writeFoldsCsv(r, outDir.resolve(FOLDS_CSV), force);
            DecaySearchReport.writePlot(r, outDir.resolve(PLOT), force);
        }
        if (cl.hasOption("json")) {
            out.println(DecaySearchReport.json(r));
        } else {
            out.println("Weight-decay search on " + modelPath + ": " + r.protocol() + ", " + epochs + " epoch(s) per fit, batch "
                    + batch + (shuffle ? ", shuffled (seed " + seed + ")" : ", data order") + ", "
                    + (fresh ? "fresh optimizer" : "optimizer state continued from the file") + ", " + r.fits().size() + " fits in "
                    + String.format(java.util.Locale.ROOT, "%.1f s", r.seconds()) + " (" + r.threads() + " at once)");
            out.println("  scope (kernels): " + String.join(", ", r.scope()));
            out.println("  val_loss is the loss without penalty terms; mean ± sd over the folds\n");
            out.print(DecaySearchReport.text(r));
            out.println("\nbest: " + r.best().penalty().key() + " λ=" + DecaySearchReport.lambda(r.best().lambda()));
            if (outDir != null)
                out.println("  wrote " + outDir.resolve(CSV) + ", " + outDir.resolve(FOLDS_CSV) + ", " + outDir.resolve(PLOT));
        }
        if (refitOut != null) {
            KerasModel best = DecaySearch.variant(model, r.scope(), r.best().penalty(), r.best().lambda());
            FineTuner.Builder fb = FineTuner.builder(best).data(train).epochs(epochs).batchSize(batch).shuffle(shuffle).seed(seed)
                    .freshOptimizer(fresh).lenient(lenient)
                    .listener(Progress.forStream(err, cl.hasOption("quiet"), Progress.stderrIsTerminal()));
            if (val != null) fb.validation(val);
            FineTuner.Result fr = fb.build().run();
            refitOut.write(fr, force);
            HistoryPlot.write(fr.history(), refitOut.plot(), "Refit of " + modelPath.getFileName() + " with "
                    + r.best().penalty().key() + " λ=" + DecaySearchReport.lambda(r.best().lambda()), force);
            if (!cl.hasOption("json"))
                out.println("Refit on all of " + cl.getOptionValue("data") + " with " + r.best().penalty().key() + " λ="
                        + DecaySearchReport.lambda(r.best().lambda()) + " -> " + refitOut.model()
                        + " (history: " + refitOut.historyJson() + ", " + refitOut.plot() + ")");
        }
        return 0;
    }

    /** Repeated and comma-separated values, in order. */
    private static List<String> split(String[] values) {
        List<String> out = new ArrayList<>();
        for (String v : values) for (String part : v.split(",")) if (!part.isBlank()) out.add(part.trim());
        return out;
    }
}
