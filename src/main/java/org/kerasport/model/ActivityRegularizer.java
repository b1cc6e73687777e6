package org.kerasport.model;

/** A regularizer on a layer's output ({@code activity_regularizer}). */
public record ActivityRegularizer(String layer, Regularizer regularizer) {
}
