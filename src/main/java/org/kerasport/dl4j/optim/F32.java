package org.kerasport.dl4j.optim;

/**
 * Scalar float32 arithmetic as Keras does it. Keras computes every optimizer coefficient (β powers, bias
 * corrections, schedule values) as float32 tensors; Java {@code float} {@code + - * /} are the same IEEE single
 * operations, and the transcendental functions are evaluated in double and rounded once to float (correctly rounded
 * in practice, like TensorFlow's float32 kernels).
 */
final class F32 {
    private F32() {
    }

    /** A Python float (or int) converted to a float32 tensor: {@code ops.cast(x, "float32")}. */
    static float f(double x) {
        return (float) x;
    }

    /** Keras' {@code ops.cast(iterations + k, "float32")}. */
    static float step(long iterations) {
        return (float) iterations;
    }

    static float pow(float base, float exponent) {
        return (float) Math.pow(base, exponent);
    }

    static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }

    static float cos(float x) {
        return (float) Math.cos(x);
    }

    static float log(float x) {
        return (float) Math.log(x);
    }

    static float floor(float x) {
        return (float) Math.floor(x);
    }

    static float ceil(float x) {
        return (float) Math.ceil(x);
    }
}
