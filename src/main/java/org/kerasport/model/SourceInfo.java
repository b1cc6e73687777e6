package org.kerasport.model;

/**
 * Where a model came from.
 *
 * @param path         the file as given
 * @param format       keras-h5-full, keras-v3-zip, weights-h5+json-arch, keras-v3-weights+json-arch, keras-json-arch
 * @param kerasVersion the writing Keras version as recorded ("1.1.0", "2.2.4-tf", "3.15.1"), or null
 * @param backend      the backend recorded (tensorflow, theano, jax ...), or null
 * @param sha256       hex SHA-256 of the file's bytes
 * @param weightsPath  the separate weights file (weights + JSON form), or null
 */
public record SourceInfo(String path, String format, String kerasVersion, String backend, String sha256,
                         String weightsPath) {

    /** Major Keras version that wrote the file: 1, 2 (Keras 2.x and tf.keras) or 3; 2 when unknown. */
    public int kerasMajor() {
        if (kerasVersion == null || kerasVersion.isEmpty()) return 2;
        char c = kerasVersion.charAt(0);
        return Character.isDigit(c) ? c - '0' : 2;
    }
}
