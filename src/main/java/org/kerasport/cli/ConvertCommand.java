package org.kerasport.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.dl4j.Dl4jModel;
import org.kerasport.dl4j.FidelityReport;
import org.kerasport.dl4j.ImportedModel;
import org.kerasport.format.KerasReader;
import org.kerasport.format.ReadOptions;
import org.kerasport.util.AtomicFiles;
import org.kerasport.UsageException;

/** {@code kerasport convert}: a Keras model as a trainable DL4J ComputationGraph zip, with the fidelity report. */
final class ConvertCommand implements Command {
    @Override
    public String name() {
        return "convert";
    }

    @Override
    public String summary() {
        return "map a Keras model onto a DL4J ComputationGraph zip and report how every weight and setting mapped";
    }

    @Override
    public String arguments() {
        return "MODEL -o OUT.zip";
    }

    @Override
    public String details() {
        return """
                Writes DL4J's ModelSerializer zip (with the updater state) plus kerasport.json (Keras input/output
                names and the original Keras config), and prints the fidelity report: each Keras weight and the DL4J
                parameter holding it, the regularizer in both conventions (DL4J L2 = 2 x Keras l2), the optimizer and
                the loss. Everything that cannot be reproduced exactly is reported at once (exit code 4); --lenient
                drops it with a line each.

                Example:
                  kerasport convert models/seed_mlp.keras -o seed.zip
                """;
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("OUT.zip").desc("the DL4J zip to write (required)").build());
        ModelArgs.addSourceOptions(o);
        o.addOption(Option.builder().longOpt("lenient").desc("drop what cannot be mapped exactly, with a line each").build());
        o.addOption(Option.builder().longOpt("force").desc("replace OUT.zip if it exists").build());
        o.addOption(Option.builder().longOpt("quiet").desc("do not print the fidelity report").build());
        return o;
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) {
        Path modelArg = ModelArgs.model(cl, "convert");
        if (!cl.hasOption("output")) throw new UsageException("-o/--output is required");
        Path model = modelArg, target = Path.of(cl.getOptionValue("output"));
        AtomicFiles.checkTarget(target, cl.hasOption("force"), model);
        Path companion = ModelArgs.companion(cl);
        boolean lenient = cl.hasOption("lenient");
        ImportedModel im = Dl4jImporter.importForTraining(KerasReader.read(model, new ReadOptions(companion, true, lenient)), lenient);
        Dl4jModel.of(im).save(target, cl.hasOption("force"));
        if (!cl.hasOption("quiet")) {
            out.println("Converted " + model + " -> " + target + " (DL4J ComputationGraph with updater state)\n");
            out.print(FidelityReport.text(im));
        }
        for (var u : im.unsupported()) err.println("kerasport convert: warning: dropped " + u);
        return 0;
    }
}
