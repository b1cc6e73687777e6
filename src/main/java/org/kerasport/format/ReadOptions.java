package org.kerasport.format;

import java.nio.file.Path;

/**
 * How to read a model file.
 *
 * @param companion   for a weights-only file: its JSON architecture ({@code model.to_json()}); for a JSON architecture:
 *                    its weights file; else null
 * @param withWeights false reads shapes only (no weight values): faster for {@code inspect} on large models
 * @param lenient     true keeps layers and regularizers Kerasport cannot interpret (listed in
 *                    {@link org.kerasport.model.KerasModel#unsupported()}) instead of failing
 */
public record ReadOptions(Path companion, boolean withWeights, boolean lenient) {
    public static ReadOptions defaults() {
        return new ReadOptions(null, true, false);
    }

    public ReadOptions withCompanion(Path p) {
        return new ReadOptions(p, withWeights, lenient);
    }

    public ReadOptions withWeights(boolean w) {
        return new ReadOptions(companion, w, lenient);
    }

    public ReadOptions lenient(boolean l) {
        return new ReadOptions(companion, withWeights, l);
    }
}
