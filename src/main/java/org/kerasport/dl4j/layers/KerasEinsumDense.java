package org.kerasport.dl4j.layers;

import java.util.List;
import org.kerasport.format.kinds.EinsumPlan;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Keras {@code EinsumDense}: {@code act(einsum(equation, x, kernel) + bias)} for the equations {@link EinsumPlan}
 * reads as one matrix product. Parameters keep the Keras shapes: {@code kernel} (a weight parameter,
 * kernel_regularizer) and {@code bias} (a bias parameter, bias_regularizer; its Keras shape, broadcast against the
 * output's trailing axes). Input and output in Keras layout (channels last).
 */
public class KerasEinsumDense extends KerasSameDiffLayer {
    @JsonProperty
    private String equation;
    @JsonProperty
    private long[] inShape;
    @JsonProperty
    private Long[] partialOut;
    @JsonProperty
    private String biasAxes;
    @JsonProperty
    private String activation;

    public KerasEinsumDense() {
    }

    public KerasEinsumDense(String name, String equation, long[] inShape, Long[] partialOut, String biasAxes,
                            String activation, List<Regularization> kernelReg, List<Regularization> biasReg) {
        this.layerName = name;
        this.equation = equation;
        this.inShape = inShape;
        this.partialOut = partialOut;
        this.biasAxes = biasAxes;
        this.activation = activation;
        this.regularization = kernelReg;
        this.regularizationBias = biasReg;
    }

    private EinsumPlan plan() {
        return EinsumPlan.of(equation, inShape, partialOut, biasAxes);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        EinsumPlan p = plan();
        params.addWeightParam("kernel", p.kernelShape);
        if (p.biasShape != null) params.addBiasParam("bias", p.biasShape);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        for (INDArray a : params.values()) a.assign(0.0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        EinsumPlan plan = plan();
        SDVariable xin = isIdentity(plan.inPerm) ? x : sd.permute(x, plan.inPerm);
        SDVariable k = p.get("kernel");
        if (!isIdentity(plan.kernelPerm)) k = sd.permute(k, plan.kernelPerm);
        SDVariable y = sd.mmul(sd.reshape(xin, -1, plan.contracted), sd.reshape(k, plan.contracted, plan.kernelOut));
        long[] mid = new long[1 + plan.freeSizes.length + plan.kernelOutSizes.length];
        mid[0] = -1;
        System.arraycopy(plan.freeSizes, 0, mid, 1, plan.freeSizes.length);
        System.arraycopy(plan.kernelOutSizes, 0, mid, 1 + plan.freeSizes.length, plan.kernelOutSizes.length);
        if (mid.length != 2 || !isIdentity(plan.outPerm)) y = sd.reshape(y, mid);
        if (!isIdentity(plan.outPerm)) y = sd.permute(y, plan.outPerm);
        if (plan.biasShape != null) {
            long[] b = new long[plan.out.length()];
            java.util.Arrays.fill(b, 1);
            System.arraycopy(plan.biasShape, 0, b, b.length - plan.biasShape.length, plan.biasShape.length);
            y = y.add(sd.reshape(p.get("bias"), b));
        }
        return SdActivations.apply(sd, activation, y);
    }

    private static boolean isIdentity(int[] perm) {
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
        return true;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        long[] o = plan().outShape;
        Long[] s = new Long[o.length + 1];
        for (int i = 0; i < o.length; i++) s[i + 1] = o[i];
        return org.kerasport.dl4j.InputTypes.channelsLast(s);
    }
}
