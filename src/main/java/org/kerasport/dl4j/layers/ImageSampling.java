package org.kerasport.dl4j.layers;

/**
 * Resampling of one channels-last image [h, w, c] as Keras' image layers do it with the TensorFlow backend: the
 * projective transform of {@code keras.ops.image.affine_transform} (TensorFlow's ImageProjectiveTransformV3 kernel:
 * output pixel (x, y) reads input point ((a0·x + a1·y + a2)/k, (b0·x + b1·y + b2)/k), k = c0·x + c1·y + 1, mapped into
 * the image by the fill mode, then read by nearest or bilinear interpolation, taps outside the image reading the fill
 * value), and the bilinear resize with half-pixel centres of {@code keras.ops.image.resize} (RandomCrop). Everything is
 * computed in float32 in the kernel's order of operations, so the coordinates are the kernel's.
 *
 * <p>A resampling is linear in the image (plus the fill value on outside taps): {@link Taps} records, per output pixel,
 * the input pixels read and their factors, so the backward pass is the exact adjoint (gradient scattered back onto the
 * pixels read, nothing to the fill value).
 */
public final class ImageSampling {
    /** Fill modes of affine_transform. */
    public static final String REFLECT = "reflect", WRAP = "wrap", CONSTANT = "constant", NEAREST = "nearest";

    private ImageSampling() {
    }

    /**
     * Per output pixel p: nearest: {@code idx[p]} the input pixel (−1: the fill value). Bilinear: idx[4p..4p+3] the
     * pixels (y0,x0), (y0,x1), (y1,x0), (y1,x1) (−1 outside) and f[4p..4p+3] the factors (x1 − x), (x − x0), (y1 − y),
     * (y − y0), combined as TensorFlow does: (y1 − y)·((x1 − x)·v00 + (x − x0)·v01) + (y − y0)·((x1 − x)·v10 + (x − x0)·v11).
     */
    public record Taps(int outH, int outW, boolean bilinear, int[] idx, float[] f) {
    }

    /** The taps of affine_transform(t) for an [h, w] image to an [h, w] output (t: the 8 numbers of Keras' transform). */
    public static Taps affine(float[] t, int h, int w, boolean bilinear, String fillMode) {
        int n = h * w;
        int[] idx = new int[bilinear ? 4 * n : n];
        float[] f = bilinear ? new float[4 * n] : null;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                float fx = x, fy = y;
                float proj = t[6] * fx + t[7] * fy + 1.0f;
                if (proj == 0) { // infinitely far: the fill value
                    if (bilinear) {
                        for (int k = 0; k < 4; k++) idx[4 * p + k] = -1;
                        f[4 * p] = 1;
                        f[4 * p + 2] = 1;
                    } else {
                        idx[p] = -1;
                    }
                    continue;
                }
                float inX = (t[0] * fx + t[1] * fy + t[2]) / proj;
                float inY = (t[3] * fx + t[4] * fy + t[5]) / proj;
                float cx = map(inX, w, fillMode), cy = map(inY, h, fillMode);
                if (!bilinear) {
                    idx[p] = at(h, w, roundHalfAway(cy), roundHalfAway(cx));
                } else {
                    float y0 = (float) Math.floor(cy), x0 = (float) Math.floor(cx), y1 = y0 + 1, x1 = x0 + 1;
                    idx[4 * p] = at(h, w, (long) y0, (long) x0);
                    idx[4 * p + 1] = at(h, w, (long) y0, (long) x1);
                    idx[4 * p + 2] = at(h, w, (long) y1, (long) x0);
                    idx[4 * p + 3] = at(h, w, (long) y1, (long) x1);
                    f[4 * p] = x1 - cx;
                    f[4 * p + 1] = cx - x0;
                    f[4 * p + 2] = y1 - cy;
                    f[4 * p + 3] = cy - y0;
                }
            }
        }
        return new Taps(h, w, bilinear, idx, f);
    }

    /**
     * The taps of a bilinear resize with half-pixel centres (TensorFlow's ResizeBilinear, half_pixel_centers=True) of
     * the window [top, top + inH) × [left, left + inW) of an image of width {@code imageW} to [outH, outW].
     */
    public static Taps resize(int imageW, int top, int left, int inH, int inW, int outH, int outW) {
        int n = outH * outW;
        int[] idx = new int[4 * n];
        float[] f = new float[4 * n];
        float sy = (float) inH / outH, sx = (float) inW / outW;
        for (int y = 0; y < outH; y++) {
            float iy = ((float) y + 0.5f) * sy - 0.5f;
            float fy = (float) Math.floor(iy);
            int ylo = Math.max((int) fy, 0), yhi = Math.min((int) Math.ceil(iy), inH - 1);
            float ly = iy - fy;
            for (int x = 0; x < outW; x++) {
                float ix = ((float) x + 0.5f) * sx - 0.5f;
                float fx = (float) Math.floor(ix);
                int xlo = Math.max((int) fx, 0), xhi = Math.min((int) Math.ceil(ix), inW - 1);
                float lx = ix - fx;
                int p = y * outW + x;
                idx[4 * p] = (top + ylo) * imageW + left + xlo;
                idx[4 * p + 1] = (top + ylo) * imageW + left + xhi;
                idx[4 * p + 2] = (top + yhi) * imageW + left + xlo;
                idx[4 * p + 3] = (top + yhi) * imageW + left + xhi;
                f[4 * p] = 1 - lx;
                f[4 * p + 1] = lx;
                f[4 * p + 2] = 1 - ly;
                f[4 * p + 3] = ly;
            }
        }
        return new Taps(outH, outW, true, idx, f);
    }

    /** The taps of the window [top, top + outH) × [left, left + outW) of an image of width {@code imageW}. */
    public static Taps crop(int imageW, int top, int left, int outH, int outW) {
        int[] idx = new int[outH * outW];
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++) idx[y * outW + x] = (top + y) * imageW + left + x;
        return new Taps(outH, outW, false, idx, null);
    }

    /** out[p, ch] from in (channels-last, {@code c} channels, starting at offsets inOff / outOff). */
    public static void forward(Taps t, float[] in, int inOff, int c, float fill, float[] out, int outOff) {
        int n = t.outH * t.outW;
        int[] idx = t.idx;
        float[] f = t.f;
        for (int p = 0; p < n; p++) {
            for (int ch = 0; ch < c; ch++) {
                float v;
                if (!t.bilinear) {
                    v = idx[p] < 0 ? fill : in[inOff + idx[p] * c + ch];
                } else {
                    int q = 4 * p;
                    float v00 = idx[q] < 0 ? fill : in[inOff + idx[q] * c + ch];
                    float v01 = idx[q + 1] < 0 ? fill : in[inOff + idx[q + 1] * c + ch];
                    float v10 = idx[q + 2] < 0 ? fill : in[inOff + idx[q + 2] * c + ch];
                    float v11 = idx[q + 3] < 0 ? fill : in[inOff + idx[q + 3] * c + ch];
                    float top = f[q] * v00 + f[q + 1] * v01;
                    float bottom = f[q] * v10 + f[q + 1] * v11;
                    v = f[q + 2] * top + f[q + 3] * bottom;
                }
                out[outOff + p * c + ch] = v;
            }
        }
    }

    /** gIn += the adjoint of {@link #forward} applied to gOut (gIn must be zeroed by the caller). */
    public static void backward(Taps t, float[] gOut, int outOff, int c, float[] gIn, int inOff) {
        int n = t.outH * t.outW;
        int[] idx = t.idx;
        float[] f = t.f;
        for (int p = 0; p < n; p++) {
            for (int ch = 0; ch < c; ch++) {
                float g = gOut[outOff + p * c + ch];
                if (!t.bilinear) {
                    if (idx[p] >= 0) gIn[inOff + idx[p] * c + ch] += g;
                } else {
                    int q = 4 * p;
                    float gt = f[q + 2] * g, gb = f[q + 3] * g;
                    if (idx[q] >= 0) gIn[inOff + idx[q] * c + ch] += f[q] * gt;
                    if (idx[q + 1] >= 0) gIn[inOff + idx[q + 1] * c + ch] += f[q + 1] * gt;
                    if (idx[q + 2] >= 0) gIn[inOff + idx[q + 2] * c + ch] += f[q] * gb;
                    if (idx[q + 3] >= 0) gIn[inOff + idx[q + 3] * c + ch] += f[q + 1] * gb;
                }
            }
        }
    }

    private static int at(int h, int w, long y, long x) {
        return y >= 0 && y < h && x >= 0 && x < w ? (int) (y * w + x) : -1;
    }

    /** C's std::round: halves away from zero (Java's Math.round rounds them up). */
    private static long roundHalfAway(float v) {
        return (long) (Math.signum(v) * Math.floor(Math.abs(v) + 0.5));
    }

    /** TensorFlow's MapCoordinate for each fill mode, in float32 as the kernel: a coordinate mapped into [0, len − 1]. */
    static float map(float c, int len, String mode) {
        switch (mode) {
            case REFLECT -> { // [abcd] -> [dcba|abcd|dcba]
                if (c < 0) {
                    if (len <= 1) {
                        c = 0;
                    } else {
                        long sz2 = 2L * len;
                        if (c < sz2) c = (float) (sz2 * (long) (-c / sz2)) + c;
                        c = c < -len ? c + sz2 : -c - 1;
                    }
                } else if (c > len - 1) {
                    if (len <= 1) {
                        c = 0;
                    } else {
                        long sz2 = 2L * len;
                        c -= (float) (sz2 * (long) (c / sz2));
                        if (c >= len) c = sz2 - c - 1;
                    }
                }
                return clamp(c, len);
            }
            case WRAP -> { // [abcd] -> [abcd|abcd|abcd]
                if (c < 0) {
                    if (len <= 1) {
                        c = 0;
                    } else {
                        long sz = len - 1;
                        c += (float) (len * ((long) (-c / sz) + 1));
                    }
                } else if (c > len - 1) {
                    if (len <= 1) {
                        c = 0;
                    } else {
                        long sz = len - 1;
                        c -= (float) (len * (long) (c / sz));
                    }
                }
                return clamp(c, len);
            }
            case NEAREST -> {
                return clamp(c, len);
            }
            default -> {
                return c; // constant: taps outside read the fill value
            }
        }
    }

    private static float clamp(float c, int len) {
        return Math.min(Math.max(c, 0f), (float) (len - 1));
    }
}
