/**
 * DL4J updaters and learning-rate schedules that reproduce Keras 3 optimizers step for step.
 *
 * <h2>What is here</h2>
 * One {@link org.nd4j.linalg.learning.config.IUpdater} (configuration) with a nested
 * {@link org.nd4j.linalg.learning.GradientUpdater} per Keras optimizer: {@link org.kerasport.dl4j.optim.KerasSGD},
 * {@link org.kerasport.dl4j.optim.KerasAdam} (also AdamW, see below), {@link org.kerasport.dl4j.optim.KerasRMSprop},
 * {@link org.kerasport.dl4j.optim.KerasAdagrad}, {@link org.kerasport.dl4j.optim.KerasAdadelta},
 * {@link org.kerasport.dl4j.optim.KerasAdamax}, {@link org.kerasport.dl4j.optim.KerasNadam} and
 * {@link org.kerasport.dl4j.optim.KerasLion}, sharing {@link org.kerasport.dl4j.optim.KerasUpdater} (learning rate,
 * state layout, equality, JSON) and {@link org.kerasport.dl4j.optim.KerasGradientUpdater} (state views, scratch
 * arrays); and {@link org.kerasport.dl4j.optim.KerasSchedules}, Keras' learning-rate schedules as
 * {@link org.nd4j.linalg.schedule.ISchedule}s with a factory from Keras' serialized form.
 *
 * <h2>Semantics</h2>
 * <ul>
 * <li>DL4J's {@code iteration} (the number of updates done before the current one, saved with the model as the
 * configuration's {@code iterationCount}) is Keras' {@code optimizer.iterations} before its increment; Keras' t is
 * {@code iteration + 1}. A schedule is evaluated at {@code iteration}; the epoch is never used.</li>
 * <li>{@code applyUpdater(g, iteration, epoch)} overwrites g with the update u and DL4J does {@code params -= u}.
 * The updaters compute u with the same float32 operations, in the same order, as Keras' {@code update_step}, and
 * every scalar coefficient (β powers, bias corrections, schedule values, a constant learning rate) as the float32
 * value Keras computes. Against real Keras 3.15.1 (TensorFlow backend) every value after every step is
 * bit-identical, and the schedules are bit-identical at iterations 0..50 (tests in
 * {@code src/test/java/org/kerasport/dl4j/optim}, data from {@code src/test/python/optimizer_trajectories.py}).</li>
 * <li>State: each configuration's {@code stateNames()} are Keras' slot names ({@code "momentum"},
 * {@code "velocity"}, {@code "velocity_hat"}, {@code "accumulator"}, {@code "accumulated_grad"},
 * {@code "accumulated_delta_var"}, {@code "norm"}, {@code "average_gradient"}). A block of n parameters owns
 * {@code stateNames().size()·n} entries of DL4J's flat updater-state array, slot after slot, each slot in the block's
 * parameter order (DL4J's flattened parameter layout, e.g. 'f'-ordered Dense kernels: Keras slot values must be laid
 * out like the weights they belong to). {@code getState()}/{@code instantiate(Map, boolean)} use these names.
 * Nadam's scalar {@code u_product} is not state here: it is a function of β₁ and the iteration
 * ({@link org.kerasport.dl4j.optim.KerasNadam#uProduct(long)}).</li>
 * </ul>
 *
 * <h2>Decoupled weight decay with DL4J's {@code WeightDecay}</h2>
 * Keras (every Keras 3 optimizer's {@code weight_decay}, AdamW) does, before {@code update_step},
 * {@code w ← w − w·wd·lr} with lr the learning rate of this step ({@code optimizer.learning_rate}, the schedule at
 * {@code iterations} before the increment). None of these updaters reads w, so Keras' step is
 * {@code w₁ = w₀ − lr·wd·w₀ − u(g)}.
 * <p>DL4J 1.0.0-M2.1, {@code UpdaterBlock.update(iteration, epoch)}: BEFORE_UPDATER regularizations (L1/L2 on the
 * gradient), then {@code gradientUpdater.applyUpdater(gradient, iteration, epoch)}, then the POST_UPDATER ones,
 * each called as {@code r.apply(paramView, gradView, lr, iteration, epoch)} with
 * {@code lr = gradientUpdater.getConfig().getLearningRate(iteration, epoch)} (because {@code hasLearningRate()} is
 * true). That is this package's {@link org.kerasport.dl4j.optim.KerasUpdater#getLearningRate(int, int)} at the same
 * iteration: exactly the lr Keras uses for its decay at this step, schedule included. {@code WeightDecay(coeff,
 * applyLR=true)} then adds {@code (coeff·lr)·w} (pre-update w) to the update, and DL4J subtracts the whole update:
 * {@code w₁ = w₀ − u(g) − lr·wd·w₀}, Keras' result, provided:
 * <ul>
 * <li>{@code applyLR} is true (Keras always multiplies by lr);</li>
 * <li>it is set PER LAYER ({@code layerBuilder.weightDecay(wd, true).weightDecayBias(wd, true)} or the layer's
 * regularization lists): DL4J M2.1 applies a {@code WeightDecay} (any non-L1/L2 regularization) set on
 * {@code NeuralNetConfiguration.Builder} twice, because {@code copyConfigToLayer} copies the global list and
 * {@code LayerValidation.configureBaseLayer} appends it again;</li>
 * <li>it also covers biases (Keras decays every trainable variable unless {@code exclude_from_weight_decay});</li>
 * <li>the reported score is not compared with Keras' loss: {@code WeightDecay.score} adds coeff/2·‖w‖², Keras adds
 * nothing ({@code org.kerasport.dl4j.DecoupledWeightDecay} has the same update arithmetic and a zero score).</li>
 * </ul>
 * Rounding: {@code WeightDecay} forms coeff·lr in double and adds it to the update, Keras forms (w·wd)·lr in float32
 * and subtracts it from w first, so results differ by rounding only (measured: at most 1.5 float32 ulps of
 * max(1, |w|) over 6 steps). A POST_UPDATER regularization doing Keras' arithmetic in place on the parameter view,
 * {@code param.subi(param.mul((float) wd).muli((float) lr))}, before DL4J subtracts the update, is bit-identical to
 * Keras (shown in {@code KerasOptimizerTrajectoryTest}).
 *
 * <h2>Serialization</h2>
 * The configurations and schedules serialize through ND4J's shaded Jackson by their fields with an {@code "@class"}
 * property (like ND4J's own updaters), so they survive {@code ComputationGraphConfiguration.toJson/fromJson} and
 * {@code ModelSerializer.writeModel(graph, file, true)}/{@code restoreComputationGraph(file, true)}, which also
 * restores the flat state array and the iteration count: training continued after a restore is bit-identical to
 * training without it.
 */
package org.kerasport.dl4j.optim;
