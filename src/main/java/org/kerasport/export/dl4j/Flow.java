package org.kerasport.export.dl4j;

/**
 * What flows between the generated Keras layers, as DL4J holds it: a feature vector ({@code width}), a sequence
 * ({@code channels} features, NCW or NWC), an image or a volume ({@code channels}, spatial sizes that may be unknown,
 * channels-first or -last). Unknown sizes are null: DL4J layers built without an input type know only channels.
 */
public record Flow(Long width, Long height, Long imgWidth, long channels, boolean nchw, boolean sequence, boolean volume, Long depth) {
    public Flow(Long width, Long height, Long imgWidth, long channels, boolean nchw, boolean sequence) {
        this(width, height, imgWidth, channels, nchw, sequence, false, null);
    }

    /** A feature vector of {@code n} values. */
    public static Flow features(long n) {
        return new Flow(n, null, null, 0, false, false);
    }

    /** A sequence of {@code channels} features per step ([batch, c, t] when {@code ncw}, else [batch, t, c]). */
    public static Flow sequence(long channels, boolean ncw) {
        return new Flow(null, null, null, channels, ncw, true);
    }

    /** An image ([batch, c, h, w] channels-first, [batch, h, w, c] channels-last). */
    public static Flow image(Long height, Long width, long channels, boolean nchw) {
        return new Flow(null, height, width, channels, nchw, false);
    }

    /** A 3-D volume ([batch, c, d, h, w] channels-first, [batch, d, h, w, c] channels-last). */
    public static Flow volume(Long depth, Long height, Long width, long channels, boolean ncdhw) {
        return new Flow(null, height, width, channels, ncdhw, false, true, depth);
    }

    public boolean image() {
        return width == null && !sequence && !volume;
    }

    /** Neither an image, a sequence nor a volume. */
    public boolean flat() {
        return !image() && !sequence && !volume;
    }

    /** Width of a feature vector, 0 for anything else. */
    public long widthOrZero() {
        return width == null ? 0 : width;
    }

    Flow spatial(int[] k, int[] s, int[] d, String pad, long outChannels) {
        return image(out(height, k[0], s[0], d[0], pad), out(imgWidth, k[1], s[1], d[1], pad), outChannels, nchw);
    }

    Flow volumeOut(int[] k, int[] s, int[] d, String pad, long outChannels) {
        return volume(out(depth, k[0], s[0], d[0], pad), out(height, k[1], s[1], d[1], pad), out(imgWidth, k[2], s[2], d[2], pad),
                outChannels, nchw);
    }

    static Long out(Long in, int k, int s, int d, String pad) {
        if (in == null) return null;
        return pad.equals("same") ? (in + s - 1) / s : (in - (long) (k - 1) * d - 1) / s + 1;
    }

    static Long plus(Long v, int d) {
        return v == null ? null : v + d;
    }

    static Long times(Long v, int f) {
        return v == null ? null : v * f;
    }
}
