package org.kerasport.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.kerasport.dl4j.Dl4jModel;
import org.kerasport.export.Exporter;
import org.kerasport.format.KerasReader;
import org.kerasport.format.KerasWriter;
import org.kerasport.format.ReadOptions;
import org.kerasport.model.KerasModel;
import org.kerasport.util.AtomicFiles;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.kerasport.UsageException;
import org.kerasport.BadDataException;

/** {@code kerasport export}: a Keras model (any generation) or a Kerasport DL4J zip as a Keras 3 file. */
final class ExportCommand implements Command {
    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "write a Keras model or a fine-tuned DL4J zip as a Keras 3 .keras, legacy .h5 or .weights.h5 file";
    }

    @Override
    public String arguments() {
        return "MODEL -o OUT.keras|OUT.h5|OUT.weights.h5";
    }

    @Override
    public String details() {
        return """
                MODEL is any Keras file Kerasport reads, or a DL4J zip from 'kerasport convert' / 'kerasport finetune'
                (its trained weights are exported), or a model built in DL4J (ModelSerializer zip; Dense, Output,
                Dropout, Activation, 2-D convolution, pooling, batch-normalization and LSTM layers get a generated
                Keras Sequential config, anything else is refused by name). The form follows OUT's name (.keras, .weights.h5, .h5) or --format.
                Keras 3 models keep their config verbatim (only weights, trainable flags and regularizers are updated);
                Keras 1/2 and tf.keras configs are upgraded so that Keras 3.15 loads them, and every change is listed.
                The files record kerasport_version, source_sha256 and what was fine-tuned (metadata.json in .keras,
                root attributes in .h5).

                Example:
                  kerasport export tuned.zip -o tuned.keras
                """;
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("OUT").desc("the Keras file to write (required)").build());
        o.addOption(Option.builder().longOpt("format").hasArg().argName("keras|h5|weights").desc("the form, when OUT's name does not say").build());
        o.addOption(Option.builder().longOpt("reference").hasArg().argName("X.npy|X.npz")
                .desc("the model's own inputs, to measure how a Keras 1/2 model's hard_sigmoid changes in Keras 3 (default: 64 random normal rows)").build());
        o.addOption(Option.builder().longOpt("with-optimizer-state").desc("also write the optimizer state (.keras only: iteration count and every slot), so Keras continues training where it stopped").build());
        ModelArgs.addSourceOptions(o);
        o.addOption(Option.builder().longOpt("lenient").desc("read models with custom classes too (they are written as read)").build());
        o.addOption(Option.builder().longOpt("force").desc("replace OUT if it exists").build());
        o.addOption(Option.builder().longOpt("quiet").desc("print nothing but warnings").build());
        return o;
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) {
        Path modelArg = ModelArgs.model(cl, "export");
        if (!cl.hasOption("output")) throw new UsageException("-o/--output is required");
        Path model = modelArg, target = Path.of(cl.getOptionValue("output"));
        KerasWriter.Form form = KerasWriter.Form.of(target, cl.getOptionValue("format"));
        boolean force = cl.hasOption("force");
        AtomicFiles.checkTarget(target, force, model);
        Path companion = ModelArgs.companion(cl);
        KerasModel km;
        String how;
        boolean generated = false;
        List<String> generatedNotes = List.of();
        if (Dl4jModel.isDl4jZip(model) && !Dl4jModel.isKerasportZip(model)) { // built in DL4J: a generated config
            var gen = org.kerasport.export.Dl4jToKeras.generate(model);
            km = gen.model();
            generatedNotes = gen.notes();
            how = null;
            generated = true;
        } else if (Dl4jModel.isDl4jZip(model)) {
            km = Exporter.fromDl4jZip(model);
            how = Dl4jModel.fineTuningOf(model);
        } else {
            km = KerasReader.read(model, new ReadOptions(companion, true, cl.hasOption("lenient")));
            how = null;
        }
        INDArray[] reference = null;
        String referenceName = null;
        if (cl.hasOption("reference")) {
            Path ref = Path.of(cl.getOptionValue("reference"));
            if (!Files.isRegularFile(ref)) throw new BadDataException(ref + ": no such file (--reference)");
            org.kerasport.train.data.ModelSignature sig = org.kerasport.train.ModelOutputs.signature(km);
            reference = PredictCommand.readInputs(ref, sig.inputNames(), sig.inputShapes());
            referenceName = reference[0].size(0) + " rows of " + ref;
        }
        List<String> notes = export(km, target, form, how, cl.hasOption("with-optimizer-state"), force, reference, referenceName);
        if (generated) notes = new java.util.ArrayList<>(notes);
        if (generated) notes.addAll(0, generatedNotes);
        if (generated) notes.add(0, "a model built in DL4J: Keras config generated (Sequential of " + (km.layers().size() - 1)
                + " layers" + (km.training() == null ? "; no compile config: its updater or loss has no Keras counterpart, or its layers train with different updaters, so Keras loads it uncompiled" : "") + ")");
        if (!cl.hasOption("quiet")) out.println("Exported " + model + " -> " + target + " (" + form.name().toLowerCase() + ")");
        for (String n : notes) err.println("kerasport export: note: " + n);
        return 0;
    }

    /**
     * Writes the export and returns its notes (hard_sigmoid differences measured on DL4J, on {@code reference} when
     * given, else on random inputs).
     */
    static List<String> export(KerasModel km, Path target, KerasWriter.Form form, String fineTuning, boolean optState, boolean force,
                               INDArray[] reference, String referenceName) {
        return Exporter.write(km, target, form, new KerasWriter.Provenance(Main.version(), fineTuning, optState), force,
                () -> reference == null ? null : new Exporter.Reference(reference, referenceName));
    }
}
