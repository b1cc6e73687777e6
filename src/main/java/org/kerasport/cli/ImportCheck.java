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
            found = new ArrayList<>(im.unsupported());
            found.addAll(trainingNotes(im));
        } catch (UnsupportedFeatureException e) { // nothing computable is left: every item is in the exception
            found = e.items();
        }
        List<UnsupportedItem> all = new ArrayList<>(m.unsupported());
        for (UnsupportedItem u : found) if (!all.contains(u)) all.add(u);
        return new KerasModel(m.graph(), m.training(), m.source(), all, m.config(), m.optimizerVariables());
    }

    private static final java.util.regex.Pattern NOTE = java.util.regex.Pattern.compile(
            java.util.regex.Pattern.quote(org.kerasport.dl4j.mappers.RandomLayerMappers.TRAINING_NOTE) + "layer '(.*)' \\((\\w+)\\): (.*)");

    /** What fine-tuning does not reproduce (an augmentation that stays the identity in training), as 'training' items. */
    static List<UnsupportedItem> trainingNotes(ImportedModel im) {
        List<UnsupportedItem> out = new ArrayList<>();
        for (String n : im.report()) {
            java.util.regex.Matcher mt = NOTE.matcher(n);
            if (mt.matches()) out.add(new UnsupportedItem(mt.group(1), mt.group(2), "training", mt.group(3)));
        }
        return out;
    }
}
