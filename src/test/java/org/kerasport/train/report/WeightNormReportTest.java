package org.kerasport.train.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class WeightNormReportTest {
    @TempDir
    Path dir;

    static WeightNormReport sample() {
        return new WeightNormReport()
                .add("dense", "kernel", new long[]{2, 2}, new float[]{3, 0, 0, 4}, new float[]{2.7f, 0, 0, 3.6f}, "L2(l2=0.001)")
                .add("dense", "bias", new long[]{2}, new float[]{0, 0}, new float[]{0.1f, 0}, null)
                .add("dense_1", "kernel", new long[]{2, 1}, new float[]{1, 0}, new float[]{0, 1}, "AdamW weight_decay=0.004");
    }

    /**
     * The "after" values 2.7f, 3.6f and 0.1f are float32 decimals, each within u·|value| of the decimal (one
     * rounding), and the report computes in double: a norm of them is within one float32 rounding of its size, a
     * change relative to the norm 5 within one rounding of 4.5/5. Exactly representable inputs (3, 4, 0, 1) give
     * exact doubles: 1e-12.
     */
    static final double NORM_AFTER = org.kerasport.Tolerances.roundings(1, 4.5), RELATIVE = org.kerasport.Tolerances.roundings(1, 4.5 / 5);

    @Test
    void normsAndChanges() {
        List<WeightNormReport.Entry> e = sample().entries();
        assertEquals(5.0, e.get(0).normBefore(), 1e-12);
        assertEquals(4.5, e.get(0).normAfter(), NORM_AFTER);
        assertEquals(-0.1, e.get(0).relativeChange(), RELATIVE);
        assertEquals(0.1, e.get(0).relativeUpdate(), RELATIVE);
        assertTrue(Double.isNaN(e.get(1).relativeChange())); // started at zero
        assertEquals(0.0, e.get(2).relativeChange(), 1e-12);   // rotated: same norm, moved sqrt(2)
        assertEquals(Math.sqrt(2), e.get(2).relativeUpdate(), 1e-12);
        assertEquals("(2, 2)", e.get(0).shapeString());
        assertEquals("(2,)", e.get(1).shapeString());
        assertEquals(Math.sqrt(26), sample().total().normBefore(), 1e-12);
        assertThrows(IllegalArgumentException.class,
                () -> new WeightNormReport().add("d", "k", new long[]{3}, new float[2], new float[2], null));
    }

    @Test
    void textIsAnAlignedTableInModelOrder() {
        String t = sample().text();
        System.out.println(t);
        String[] lines = t.split("\n");
        assertTrue(lines[0].startsWith("  Layer    Weight  Shape   Decay"), t);
        assertTrue(lines[2].startsWith("  dense    kernel  (2, 2)  L2(l2=0.001)"), t);
        assertTrue(lines[2].endsWith("-10.00%   10.00%"), t);
        assertTrue(lines[2].contains("  5.0000  ") && lines[2].contains("  4.5000  "), t);
        assertTrue(lines[3].contains("none") && lines[3].matches(".* 0 +0\\.1000 +n/a +n/a"), t);
        assertTrue(lines[4].startsWith("  dense_1  kernel"), t);
        assertTrue(lines[5].startsWith("  total"), t);
        int end = lines[2].length();
        for (int i = 3; i <= 5; i++) assertEquals(end, lines[i].length(), "right-aligned numbers:\n" + t);
    }

    @Test
    void csvAndJson() throws Exception {
        Path out = dir.resolve("norms.csv");
        sample().writeCsv(out, false);
        List<String> lines = Files.readAllLines(out);
        assertEquals("layer,weight,shape,decay,norm_before,norm_after,relative_change,relative_update", lines.get(0));
        assertTrue(lines.get(1).startsWith("dense,kernel,\"(2, 2)\",L2(l2=0.001),5.0,4.4999999"), lines.get(1));
        String[] f = lines.get(1).split(",");
        assertEquals(-0.1, Double.parseDouble(f[f.length - 2]), RELATIVE);
        assertTrue(lines.get(2).startsWith("dense,bias,\"(2,)\",,0.0,0.1") && lines.get(2).endsWith(",,"), lines.get(2));
        assertTrue(lines.get(4).startsWith("total,,,,"), lines.get(4));
        JsonNode j = sample().toJson();
        assertEquals("dense_1", j.get("weights").get(2).get("layer").asText());
        assertEquals(2, j.get("weights").get(0).get("shape").get(0).asInt());
        assertTrue(j.get("weights").get(1).get("decay").isNull());
        assertTrue(j.get("weights").get(1).get("relative_change").isNull());
        assertEquals(-0.1, j.get("weights").get(0).get("relative_change").asDouble(), RELATIVE);
        assertTrue(j.get("total").get("norm_after").isNumber());
    }
}
