package org.kerasport.dl4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The keras-reference cases each layer family's mapping covers, one file per family in
 * src/test/resources/dl4j-cases (lines "predict CASE" and "train CASE"), so families can grow independently.
 */
final class SupportedCases {
    private SupportedCases() {
    }

    static List<String> list(String kind) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/dl4j-cases"))) {
            for (Path f : files.sorted().toList())
                for (String line : Files.readAllLines(f)) {
                    String t = line.strip();
                    if (t.startsWith(kind + " ")) out.add(t.substring(kind.length() + 1).strip());
                }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}
