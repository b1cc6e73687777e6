package org.kerasport.dl4j.mappers;

import java.util.List;
import org.kerasport.dl4j.LayerMapper;

/** Attention layer family mappers (registered in {@link org.kerasport.dl4j.MapperRegistry}). */
public final class AttentionMappers {
    private AttentionMappers() {
    }

    /** Every mapper of this family. */
    public static List<LayerMapper> all() {
        return List.of();
    }
}
