package org.kerasport.dl4j.layers;

import java.util.List;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.params.DepthwiseConvolutionParamInitializer;

/** DL4J's DepthwiseConvolution2D with its parameter table in memory order (see {@link MemoryOrderParamInitializer}). */
public class KerasDepthwiseConvolution2D extends DepthwiseConvolution2D {
    public KerasDepthwiseConvolution2D() {
    }

    public KerasDepthwiseConvolution2D(DepthwiseConvolution2D.Builder builder) {
        super(builder);
    }

    @Override
    public ParamInitializer initializer() {
        return new MemoryOrderParamInitializer(DepthwiseConvolutionParamInitializer.getInstance(),
                List.of(DepthwiseConvolutionParamInitializer.BIAS_KEY, DepthwiseConvolutionParamInitializer.WEIGHT_KEY));
    }
}
