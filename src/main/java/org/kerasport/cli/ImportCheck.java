package org.kerasport.cli;

import java.util.ArrayList;
import java.util.List;
import org.kerasport.UnsupportedFeatureException;
import org.kerasport.UnsupportedItem;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.dl4j.ImportedModel;
import org.kerasport.model.KerasModel;

/** {@code inspect --check}: the model with everything the DL4J mapping (for training) cannot reproduce listed as unsupported. */
final class ImportCheck {
    private ImportCheck() {
    }

    static KerasModel withMappingProblems(KerasModel m) {
        List<UnsupportedItem> found;
        try {
            ImportedModel im = Dl4jImporter.importForTraining(m, true);
            found = im.unsupported();
        } catch (UnsupportedFeatureException e) { // nothing computable is left: every item is in the exception
            found = e.items();
        }
        List<UnsupportedItem> all = new ArrayList<>(m.unsupported());
        for (UnsupportedItem u : found) if (!all.contains(u)) all.add(u);
        return new KerasModel(m.graph(), m.training(), m.source(), all, m.config(), m.optimizerVariables());
    }
}
