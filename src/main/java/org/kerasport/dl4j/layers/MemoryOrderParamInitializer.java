package org.kerasport.dl4j.layers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A DL4J param initializer whose parameter tables list the parameters in the order they sit in the layer's flat
 * parameter view. DL4J's updater cuts the network's flat gradient into per-parameter ranges by walking each layer's
 * table in iteration order; DepthwiseConvolution2D and SeparableConvolution2D list W before b while storing b first,
 * so a different regularizer (or updater setting) on kernel and bias lands on the wrong values. Here, b first.
 */
public final class MemoryOrderParamInitializer implements ParamInitializer {
    private final ParamInitializer delegate;
    private final List<String> memoryOrder;

    public MemoryOrderParamInitializer(ParamInitializer delegate, List<String> memoryOrder) {
        this.delegate = delegate;
        this.memoryOrder = memoryOrder;
    }

    private Map<String, INDArray> ordered(Map<String, INDArray> m) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String k : memoryOrder) if (m.containsKey(k)) out.put(k, m.get(k));
        for (Map.Entry<String, INDArray> e : m.entrySet()) out.putIfAbsent(e.getKey(), e.getValue());
        return java.util.Collections.synchronizedMap(out);
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return delegate.numParams(conf);
    }

    @Override
    public long numParams(Layer layer) {
        return delegate.numParams(layer);
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        List<String> keys = delegate.paramKeys(layer), out = new ArrayList<>();
        for (String k : memoryOrder) if (keys.contains(k)) out.add(k);
        for (String k : keys) if (!out.contains(k)) out.add(k);
        return out;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return delegate.weightKeys(layer);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return delegate.biasKeys(layer);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return delegate.isWeightParam(layer, key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return delegate.isBiasParam(layer, key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        return ordered(delegate.init(conf, paramsView, initializeParams));
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return ordered(delegate.getGradientsFromFlattened(conf, gradientView));
    }
}
