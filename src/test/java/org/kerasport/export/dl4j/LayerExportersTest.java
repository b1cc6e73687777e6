package org.kerasport.export.dl4j;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling1D;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.dl4j.layers.KerasConvolution2D;

/** The DL4J → Keras exporter table: one entry per configuration class, exact or with subclasses, no silent collision. */
@Tag("unit")
class LayerExportersTest {
    @Test
    void registeringAClassTwiceFails() {
        LayerExporters r = new LayerExporters();
        r.exact(DenseLayer.class, (c, e) -> null);
        IllegalStateException x = assertThrows(IllegalStateException.class, () -> r.withSubclasses(DenseLayer.class, (c, e) -> null));
        assertTrue(x.getMessage().contains(DenseLayer.class.getName()), x.getMessage());
    }

    @Test
    void exactEntriesDoNotServeSubclassesAndSubclassEntriesDo() {
        LayerExporters all = LayerExporters.ALL;
        assertTrue(all.size() > 30, "table built: " + all.size());
        // DL4J's Deconvolution3D extends Convolution3D, registered exact: no exporter, so the export refuses it by name
        assertNull(all.find(Deconvolution3D.class));
        assertNotNull(all.find(Convolution3D.class));
        // ConvolutionLayer (Conv2D) serves neither its transposed nor its 1-D subclass
        assertNotSame(all.find(ConvolutionLayer.class), all.find(Deconvolution2D.class));
        assertNotSame(all.find(ConvolutionLayer.class), all.find(Convolution1DLayer.class));
        assertNotSame(all.find(Upsampling2D.class), all.find(Upsampling1D.class));
        // Kerasport's own Conv2D configuration has its own entry, and an unregistered subclass of it is served by it
        assertNotNull(all.find(KerasConvolution2D.class));
        class Sub extends KerasConvolution2D {
        }
        assertSame(all.find(KerasConvolution2D.class), all.find(Sub.class));
    }
}
