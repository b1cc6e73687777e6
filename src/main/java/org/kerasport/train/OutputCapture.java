package org.kerasport.train;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The model outputs of a training step's own forward pass, for the training metrics: Keras computes them from the
 * step's training-mode, pre-update predictions. DL4J's fit does not keep the output layers' activations (the loss
 * works from their pre-activations), so once the step's backward pass is done, while every layer still holds the
 * input of that pass and the weights are not yet updated, this listener runs each output layer once more on its
 * input. That is the same computation {@code output(true, x)} ends with, on the same input, without a second pass
 * through the whole network.
 *
 * <p>Only exact when the training-mode forward pass is deterministic: with dropout or weight noise a separate
 * {@code output(true, x)} draws its own masks (and consumes random numbers the step would otherwise use), so
 * {@link #deterministic} keeps FineTuner on that older path for such graphs, and for outputs that are not layers.
 */
public final class OutputCapture extends BaseTrainingListener {
    private List<INDArray> outputs;

    /** True when no layer draws random numbers in training mode and every network output is a layer. */
    static boolean deterministic(ComputationGraph g) {
        for (GraphVertex v : g.getVertices()) {
            if (!v.hasLayer()) continue;
            org.deeplearning4j.nn.conf.layers.Layer c = v.getLayer().conf().getLayer();
            if (c.getIDropout() != null) return false;
            if (c instanceof BaseLayer bl && bl.getWeightNoise() != null) return false;
        }
        for (String o : g.getConfiguration().getNetworkOutputs())
            if (!(g.getVertex(o) instanceof LayerVertex)) return false;
        return true;
    }

    @Override
    public void onBackwardPass(Model model) {
        ComputationGraph g = (ComputationGraph) model;
        List<INDArray> out = new ArrayList<>();
        for (String o : g.getConfiguration().getNetworkOutputs()) {
            Layer l = g.getVertex(o).getLayer();
            // called outside any workspace: the result is a detached array that outlives the step
            out.add(l.activate(true, LayerWorkspaceMgr.noWorkspaces()));
        }
        outputs = out;
    }

    /** The outputs of the last step, once. */
    public List<INDArray> take() {
        List<INDArray> o = outputs;
        if (o == null) throw new IllegalStateException("no step outputs captured");
        outputs = null;
        return o;
    }
}
