package org.kerasport.format.kinds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Keras {@code EinsumDense} equation read as one matrix product. Supported: the "dense-like" equations, where every
 * axis letter is either <b>free</b> (in the input and the output, not the kernel: the batch axis and axes the kernel
 * is applied to independently), <b>contracted</b> (in the input and the kernel, not the output) or a <b>kernel output</b>
 * axis (in the kernel and the output, not the input); the batch axis is the first of the input and of the output. This
 * covers the equations Keras' own layers use ({@code ab,bc->ac}, {@code abc,cd->abd}, {@code abc,cde->abde},
 * {@code abcd,cde->abe}, …) and an ellipsis on either side ({@code ...b,bc->...c}). The product is
 * {@code x} permuted to (free…, contracted…) and reshaped to (B·F, C), times the kernel permuted to (contracted…,
 * kernel-output…) and reshaped to (C, O), reshaped to (B, free…, kernel-output…) and permuted to the output order.
 */
public final class EinsumPlan {
    /** The equation with any ellipsis written out as letters (for an input of the given rank). */
    public final String in, kernel, out;
    /** Input permutation (free letters in input order, then contracted letters in kernel order). */
    public final int[] inPerm;
    /** Kernel permutation (contracted letters in kernel order, then kernel-output letters in kernel order). */
    public final int[] kernelPerm;
    /** Output permutation from (free…, kernel-output…) to the output order. */
    public final int[] outPerm;
    /** Sizes: contracted product, kernel-output product; free non-batch sizes and kernel-output sizes in their order. */
    public final long contracted, kernelOut;
    public final long[] freeSizes, kernelOutSizes;
    /** Kernel shape (Keras order), full output shape without the batch axis, bias shape (Keras) or null. */
    public final long[] kernelShape, outShape, biasShape;

    private EinsumPlan(String in, String kernel, String out, long[] inShape, long[] partialOut, String biasAxes) {
        this.in = in;
        this.kernel = kernel;
        this.out = out;
        if (in.charAt(0) != out.charAt(0) || kernel.indexOf(in.charAt(0)) >= 0)
            throw new IllegalArgumentException("the batch axis must be the first axis of the input and of the output and not in the kernel");
        for (String s : new String[]{in, kernel, out})
            if (s.chars().distinct().count() != s.length()) throw new IllegalArgumentException("a letter repeats in '" + s + "'");
        List<Character> free = new ArrayList<>(), contr = new ArrayList<>(), kout = new ArrayList<>();
        for (char ch : in.toCharArray()) {
            boolean k = kernel.indexOf(ch) >= 0, o = out.indexOf(ch) >= 0;
            if (o && !k) free.add(ch);
            else if (k && !o) { /* contracted: kernel order below */ }
            else throw new IllegalArgumentException("axis '" + ch + "' is " + (k ? "in the input, the kernel and the output" : "summed over the input alone"));
        }
        for (char ch : kernel.toCharArray()) {
            boolean i = in.indexOf(ch) >= 0, o = out.indexOf(ch) >= 0;
            if (i && !o) contr.add(ch);
            else if (o && !i) kout.add(ch);
            else if (!i) throw new IllegalArgumentException("kernel axis '" + ch + "' is in neither the input nor the output");
        }
        for (char ch : out.toCharArray())
            if (in.indexOf(ch) < 0 && kernel.indexOf(ch) < 0) throw new IllegalArgumentException("output axis '" + ch + "' has no source");
        // sizes: the output shape given in the config covers the output's non-batch axes
        if (partialOut.length != out.length() - 1)
            throw new IllegalArgumentException("output_shape " + Arrays.toString(partialOut) + " does not have " + (out.length() - 1) + " axes");
        outShape = partialOut.clone();
        long c = 1, o = 1;
        kernelShape = new long[kernel.length()];
        for (int i = 0; i < kernel.length(); i++) {
            char ch = kernel.charAt(i);
            kernelShape[i] = contr.contains(ch) ? inShape[in.indexOf(ch) - 1] : outShape[out.indexOf(ch) - 1];
        }
        for (int i = 1; i < in.length(); i++) {
            int at = out.indexOf(in.charAt(i));
            if (at > 0 && outShape[at - 1] != inShape[i - 1])
                throw new IllegalArgumentException("input and output sizes differ at axis '" + in.charAt(i) + "'");
        }
        inPerm = new int[in.length()];
        int p = 0;
        for (char ch : free) inPerm[p++] = in.indexOf(ch);
        for (char ch : contr) { inPerm[p++] = in.indexOf(ch); c *= inShape[in.indexOf(ch) - 1]; }
        kernelPerm = new int[kernel.length()];
        p = 0;
        for (char ch : contr) kernelPerm[p++] = kernel.indexOf(ch);
        kernelOutSizes = new long[kout.size()];
        for (int i = 0; i < kout.size(); i++) {
            kernelPerm[p++] = kernel.indexOf(kout.get(i));
            kernelOutSizes[i] = outShape[out.indexOf(kout.get(i)) - 1];
            o *= kernelOutSizes[i];
        }
        freeSizes = new long[free.size() - 1];
        for (int i = 1; i < free.size(); i++) freeSizes[i - 1] = inShape[in.indexOf(free.get(i)) - 1];
        contracted = c;
        kernelOut = o;
        StringBuilder order = new StringBuilder();
        for (char ch : free) order.append(ch);
        for (char ch : kout) order.append(ch);
        outPerm = new int[out.length()];
        for (int i = 0; i < out.length(); i++) outPerm[i] = order.indexOf(String.valueOf(out.charAt(i)));
        if (biasAxes == null) {
            biasShape = null;
        } else {
            int first = out.length();
            for (char ch : biasAxes.toCharArray()) {
                int at = out.indexOf(ch);
                if (at < 0) throw new IllegalArgumentException("bias axis '" + ch + "' is not an output axis");
                first = Math.min(first, at);
            }
            if (first == 0) throw new IllegalArgumentException("a bias over the batch axis");
            biasShape = new long[out.length() - first];
            for (int i = first; i < out.length(); i++)
                biasShape[i - first] = biasAxes.indexOf(out.charAt(i)) >= 0 ? outShape[i - 1] : 1;
        }
    }

    /**
     * The plan for {@code equation} on an input of non-batch shape {@code inShape}.
     *
     * @param partialOut the config's output_shape (non-batch axes; a free axis written as its input size or null)
     * @throws IllegalArgumentException naming what is not supported
     */
    public static EinsumPlan of(String equation, long[] inShape, Long[] partialOut, String biasAxes) {
        String eq = equation.replace(" ", "");
        String[] io = eq.split("->");
        if (io.length != 2) throw new IllegalArgumentException("not of the form 'input,kernel->output'");
        String[] ops = io[0].split(",");
        if (ops.length != 2) throw new IllegalArgumentException("not of the form 'input,kernel->output'");
        String in = ops[0], kernel = ops[1], out = io[1];
        if (kernel.contains("...")) throw new IllegalArgumentException("an ellipsis in the kernel");
        int rank = inShape.length + 1;
        boolean left = in.startsWith("..."), right = !left && in.endsWith("...");
        List<Long> partial = new ArrayList<>(Arrays.asList(partialOut));
        if (left || right) {
            int named = in.length() - 3;
            int elided = rank - named;
            if (elided < 1) throw new IllegalArgumentException("the ellipsis stands for no axis");
            StringBuilder fresh = new StringBuilder();
            for (char ch = 'A'; fresh.length() < elided && ch <= 'Z'; ch++)
                if (eq.indexOf(ch) < 0) fresh.append(ch);
            if (left) {
                if (!out.startsWith("...")) throw new IllegalArgumentException("the ellipsis is not at the same side of the output");
                in = fresh + in.substring(3);
                out = fresh + out.substring(3);
                // Keras inserts the elided non-batch input sizes after the batch axis
                for (int i = 1; i < elided; i++) partial.add(i - 1, inShape[i - 1]);
            } else {
                if (!out.endsWith("...")) throw new IllegalArgumentException("the ellipsis is not at the same side of the output");
                in = in.substring(0, in.length() - 3) + fresh;
                out = out.substring(0, out.length() - 3) + fresh;
                for (int i = rank - elided; i < rank; i++) partial.add(inShape[i - 1]);
            }
        } else if (in.contains("...") || out.contains("...")) {
            throw new IllegalArgumentException("an ellipsis in the middle");
        }
        if (!in.matches("[a-zA-Z]+") || !kernel.matches("[a-zA-Z]+") || !out.matches("[a-zA-Z]+"))
            throw new IllegalArgumentException("axes must be letters");
        if (in.length() != rank) throw new IllegalArgumentException("'" + in + "' does not match an input of rank " + rank);
        long[] po = new long[partial.size()];
        for (int i = 0; i < po.length; i++) {
            Long v = partial.get(i);
            if (v == null) { // a free axis may be given as None: its input size
                int at = i + 1 < out.length() ? in.indexOf(out.charAt(i + 1)) : -1;
                if (at < 1) throw new IllegalArgumentException("output axis " + (i + 1) + " has no size");
                v = inShape[at - 1];
            }
            po[i] = v;
        }
        return new EinsumPlan(in, kernel, out, inShape, po, biasAxes);
    }
}
