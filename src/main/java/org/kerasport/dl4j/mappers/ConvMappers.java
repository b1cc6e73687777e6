package org.kerasport.dl4j.mappers;

import java.util.List;
import org.kerasport.dl4j.LayerMapper;

/** Conv layer family mappers (registered in {@link org.kerasport.dl4j.MapperRegistry}). */
public final class ConvMappers {
    private ConvMappers() {
    }

    /** Every mapper of this family. */
    public static List<LayerMapper> all() {
        return List.of();
    }
}
