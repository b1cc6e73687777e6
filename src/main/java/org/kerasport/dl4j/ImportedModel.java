package org.kerasport.dl4j;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kerasport.UnsupportedItem;
import org.kerasport.model.KerasModel;

/**
 * A Keras model mapped onto DL4J.
 *
 * @param graph        the initialized ComputationGraph holding the Keras weights
 * @param keras        the model it came from
 * @param inputs       DL4J input names in order (the Keras input layer names)
 * @param outputs      Keras output layer name -> DL4J output vertex, in Keras output order
 * @param bindings     every Keras variable and its DL4J parameter
 * @param report       notes on the mapping for the user (regularization per parameter, optimizer, loss)
 * @param unsupported  what was dropped with --lenient (empty otherwise)
 * @param stringFeeds  DL4J inputs computed from Keras string inputs before the graph runs, by DL4J input name
 */
public record ImportedModel(ComputationGraph graph, KerasModel keras, List<String> inputs, Map<String, String> outputs,
                            List<WeightBinding> bindings, List<String> report, List<UnsupportedItem> unsupported,
                            Map<String, StringFeed> stringFeeds) {
}
