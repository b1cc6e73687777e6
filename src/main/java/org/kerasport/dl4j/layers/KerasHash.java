package org.kerasport.dl4j.layers;

import java.nio.charset.StandardCharsets;

/**
 * The two string hashes TensorFlow's {@code tf.strings.to_hash_bucket_fast} and {@code to_hash_bucket_strong} use, on
 * which Keras' {@code Hashing} (and the OOV buckets of the lookup layers) rest: FarmHash's {@code Fingerprint64}
 * ({@code farmhashna::Hash64}, google/farmhash) and SipHash-2-4 keyed with the layer's salt. A bucket is the hash
 * modulo the number of buckets, the hash read as unsigned.
 */
public final class KerasHash {
    private static final long K0 = 0xc3a5c85c97cb3127L, K1 = 0xb492b66fbe98f273L, K2 = 0x9ae16a3b2f90404fL;

    private KerasHash() {
    }

    /** {@code to_hash_bucket_fast}: Fingerprint64 of the UTF-8 bytes modulo {@code buckets}. */
    public static long fastBucket(String s, long buckets) {
        return Long.remainderUnsigned(fingerprint64(s.getBytes(StandardCharsets.UTF_8)), buckets);
    }

    /** {@code to_hash_bucket_strong}: SipHash-2-4 of the UTF-8 bytes with the 128-bit key (k0, k1) modulo {@code buckets}. */
    public static long strongBucket(String s, long k0, long k1, long buckets) {
        return Long.remainderUnsigned(sipHash24(k0, k1, s.getBytes(StandardCharsets.UTF_8)), buckets);
    }

    private static long fetch64(byte[] s, int i) {
        long r = 0;
        for (int k = 7; k >= 0; k--) r = (r << 8) | (s[i + k] & 0xffL);
        return r;
    }

    private static long fetch32(byte[] s, int i) {
        return (s[i] & 0xffL) | (s[i + 1] & 0xffL) << 8 | (s[i + 2] & 0xffL) << 16 | (s[i + 3] & 0xffL) << 24;
    }

    private static long rotate(long v, int s) {
        return s == 0 ? v : Long.rotateRight(v, s);
    }

    private static long shiftMix(long v) {
        return v ^ (v >>> 47);
    }

    private static long hashLen16(long u, long v, long mul) {
        long a = (u ^ v) * mul;
        a ^= a >>> 47;
        long b = (v ^ a) * mul;
        b ^= b >>> 47;
        return b * mul;
    }

    private static long hashLen0to16(byte[] s, int len) {
        if (len >= 8) {
            long mul = K2 + len * 2L;
            long a = fetch64(s, 0) + K2, b = fetch64(s, len - 8);
            long c = rotate(b, 37) * mul + a, d = (rotate(a, 25) + b) * mul;
            return hashLen16(c, d, mul);
        }
        if (len >= 4) {
            long mul = K2 + len * 2L;
            long a = fetch32(s, 0);
            return hashLen16(len + (a << 3), fetch32(s, len - 4), mul);
        }
        if (len > 0) {
            long a = s[0] & 0xff, b = s[len >> 1] & 0xff, c = s[len - 1] & 0xff;
            long y = a + (b << 8), z = len + (c << 2);
            return shiftMix(y * K2 ^ z * K0) * K2;
        }
        return K2;
    }

    private static long hashLen17to32(byte[] s, int len) {
        long mul = K2 + len * 2L;
        long a = fetch64(s, 0) * K1, b = fetch64(s, 8), c = fetch64(s, len - 8) * mul, d = fetch64(s, len - 16) * K2;
        return hashLen16(rotate(a + b, 43) + rotate(c, 30) + d, a + rotate(b + K2, 18) + c, mul);
    }

    private static long hashLen33to64(byte[] s, int len) {
        long mul = K2 + len * 2L;
        long a = fetch64(s, 0) * K2, b = fetch64(s, 8), c = fetch64(s, len - 8) * mul, d = fetch64(s, len - 16) * K2;
        long y = rotate(a + b, 43) + rotate(c, 30) + d;
        long z = hashLen16(y, a + rotate(b + K2, 18) + c, mul);
        long e = fetch64(s, 16) * mul, f = fetch64(s, 24), g = (y + fetch64(s, len - 32)) * mul, h = (z + fetch64(s, len - 24)) * mul;
        return hashLen16(rotate(e + f, 43) + rotate(g, 30) + h, e + rotate(f + a, 18) + g, mul);
    }

    /** WeakHashLen32WithSeeds: {first, second}. */
    private static long[] weak32(byte[] s, int i, long a, long b) {
        long w = fetch64(s, i), x = fetch64(s, i + 8), y = fetch64(s, i + 16), z = fetch64(s, i + 24);
        a += w;
        b = rotate(b + a + z, 21);
        long c = a;
        a += x;
        a += y;
        b += rotate(a, 44);
        return new long[]{a + z, b + c};
    }

    /** FarmHash Fingerprint64 ({@code farmhashna::Hash64}). */
    public static long fingerprint64(byte[] s) {
        int len = s.length;
        if (len <= 32) return len <= 16 ? hashLen0to16(s, len) : hashLen17to32(s, len);
        if (len <= 64) return hashLen33to64(s, len);
        long seed = 81;
        long x = seed, y = seed * K1 + 113, z = shiftMix(y * K2 + 113) * K2;
        long[] v = {0, 0}, w = {0, 0};
        x = x * K2 + fetch64(s, 0);
        int p = 0, end = ((len - 1) / 64) * 64, last64 = end + ((len - 1) & 63) - 63;
        do {
            x = rotate(x + y + v[0] + fetch64(s, p + 8), 37) * K1;
            y = rotate(y + v[1] + fetch64(s, p + 48), 42) * K1;
            x ^= w[1];
            y += v[0] + fetch64(s, p + 40);
            z = rotate(z + w[0], 33) * K1;
            v = weak32(s, p, v[1] * K1, x + w[0]);
            w = weak32(s, p + 32, z + w[1], y + fetch64(s, p + 16));
            long t = z;
            z = x;
            x = t;
            p += 64;
        } while (p != end);
        long mul = K1 + ((z & 0xff) << 1);
        p = last64;
        w[0] += (len - 1) & 63;
        v[0] += w[0];
        w[0] += v[0];
        x = rotate(x + y + v[0] + fetch64(s, p + 8), 37) * mul;
        y = rotate(y + v[1] + fetch64(s, p + 48), 42) * mul;
        x ^= w[1] * 9;
        y += v[0] * 9 + fetch64(s, p + 40);
        z = rotate(z + w[0], 33) * mul;
        v = weak32(s, p, v[1] * mul, x + w[0]);
        w = weak32(s, p + 32, z + w[1], y + fetch64(s, p + 16));
        long t = z;
        z = x;
        x = t;
        return hashLen16(hashLen16(v[0], w[0], mul) + shiftMix(y) * K0 + z, hashLen16(v[1], w[1], mul) + x, mul);
    }

    /** SipHash-2-4 (Aumasson and Bernstein), as highwayhash's SipHash that TensorFlow calls. */
    public static long sipHash24(long k0, long k1, byte[] m) {
        long v0 = 0x736f6d6570736575L ^ k0, v1 = 0x646f72616e646f6dL ^ k1;
        long v2 = 0x6c7967656e657261L ^ k0, v3 = 0x7465646279746573L ^ k1;
        int n = m.length, full = n - n % 8;
        long[] v = {v0, v1, v2, v3};
        for (int i = 0; i < full; i += 8) {
            long mi = fetch64(m, i);
            v[3] ^= mi;
            sipRound(v);
            sipRound(v);
            v[0] ^= mi;
        }
        long last = ((long) n & 0xff) << 56;
        for (int i = 0; i < n - full; i++) last |= (m[full + i] & 0xffL) << (8 * i);
        v[3] ^= last;
        sipRound(v);
        sipRound(v);
        v[0] ^= last;
        v[2] ^= 0xff;
        for (int i = 0; i < 4; i++) sipRound(v);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void sipRound(long[] v) {
        v[0] += v[1];
        v[1] = Long.rotateLeft(v[1], 13);
        v[1] ^= v[0];
        v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3];
        v[3] = Long.rotateLeft(v[3], 16);
        v[3] ^= v[2];
        v[0] += v[3];
        v[3] = Long.rotateLeft(v[3], 21);
        v[3] ^= v[0];
        v[2] += v[1];
        v[1] = Long.rotateLeft(v[1], 17);
        v[1] ^= v[2];
        v[2] = Long.rotateLeft(v[2], 32);
    }
}
