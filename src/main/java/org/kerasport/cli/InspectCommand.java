package org.kerasport.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.kerasport.format.Json;
import org.kerasport.format.KerasReader;
import org.kerasport.format.ReadOptions;
import org.kerasport.inspect.InspectReport;
import org.kerasport.model.KerasModel;

/** {@code kerasport inspect}: the model at a glance. Reads shapes only and never loads the ND4J native backend. */
final class InspectCommand implements Command {
    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public String summary() {
        return "show a Keras model: layers, regularizers with their DL4J coefficients, optimizer, loss";
    }

    @Override
    public String arguments() {
        return "MODEL";
    }

    @Override
    public String details() {
        return """
                MODEL is any Keras model file, detected by content: a legacy .h5 full model (Keras 1, 2, tf.keras, 3),
                a Keras 3 .keras zip, a JSON architecture (model.to_json()), or a weights-only .h5 / .weights.h5
                given with --arch.

                Examples:
                  kerasport inspect models/seed_example.keras
                  kerasport inspect model_weights.h5 --arch model.json --json
                """;
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("json").desc("print one JSON object instead of the text report").build());
        ModelArgs.addSourceOptions(o);
        o.addOption(Option.builder().longOpt("check")
                .desc("also map the model onto DL4J (loads the native backend, a few seconds) and list under 'unsupported' "
                        + "everything convert/finetune could not reproduce exactly").build());
        o.addOption(Option.builder().longOpt("lenient")
                .desc("read models with custom layers or regularizers too; they are listed under 'unsupported'").build());
        return o;
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) {
        Path modelArg = ModelArgs.model(cl, "inspect");
        Path companion = ModelArgs.companion(cl);
        boolean check = cl.hasOption("check");
        ReadOptions opts = new ReadOptions(companion, check, cl.hasOption("lenient") || check);
        KerasModel model = KerasReader.read(modelArg, opts);
        if (check) model = ImportCheck.withMappingProblems(model);
        InspectReport report = new InspectReport(model);
        if (cl.hasOption("json")) {
            try {
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report.toJson()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            out.print(report.toText());
        }
        return 0;
    }
}
