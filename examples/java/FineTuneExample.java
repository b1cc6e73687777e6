import java.nio.file.Path;
import java.util.List;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.train.FineTuner;
import org.kerasport.train.ModelEdits;
import org.kerasport.train.ModelOutputs;
import org.kerasport.train.data.DataSources;

/**
 * Step 2 from Java (what `kerasport finetune` does, embedded in a JVM job): read the Keras model, double every L2
 * penalty, fine-tune 3 epochs with validation, write the result as a .keras file Keras keeps training.
 * Usage: java -cp target/kerasport.jar:target/lib/* FineTuneExample.java DATA_DIR
 */
public class FineTuneExample {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        KerasModel model = KerasReader.read(dir.resolve("model.keras"));
        model = ModelEdits.penalties(model, new ModelEdits.Penalties(null, null, java.util.Map.of(), 2.0));
        var signature = ModelOutputs.signature(model);
        FineTuner.Result r = FineTuner.builder(model)
                .data(DataSources.load(dir.resolve("train.npz").toString(), List.of(), signature))
                .validation(DataSources.load(dir.resolve("val.npz").toString(), List.of(), signature))
                .epochs(3).batchSize(32).seed(1)
                .build().run();
        ModelOutputs.next(dir.resolve("tuned-java.keras")).write(r, true, "FineTuneExample: 3 epochs, L2 x 2", "example");
        System.out.println("Java: val_accuracy " + r.history().get("val_accuracy") + ", optimizer " + r.optimizerState());
    }
}
