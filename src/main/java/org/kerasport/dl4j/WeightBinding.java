package org.kerasport.dl4j;

/**
 * One Keras variable and the DL4J parameter that holds it, with the layout transform between them. The same table
 * serves import (Keras → DL4J) and export (DL4J → Keras), so the two cannot drift apart.
 *
 * @param kerasLayer  top-level Keras layer name
 * @param kerasWeight the variable's name below that layer ({@code kernel}, {@code sub_d1.kernel} ...)
 * @param vertex      DL4J vertex (layer) name
 * @param param       DL4J parameter key in that layer ({@code W}, {@code b}, {@code gamma}, {@code mean} ...)
 * @param layout      how the Keras array becomes the DL4J array and back
 */
public record WeightBinding(String kerasLayer, String kerasWeight, String vertex, String param, Layout layout) {
}
