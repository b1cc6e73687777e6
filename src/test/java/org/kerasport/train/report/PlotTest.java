package org.kerasport.train.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.cli.ExitCode;
import org.kerasport.TestSupport;
import org.kerasport.UserInputException;

@Tag("corpus")
class PlotTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true"); // as the CLI runs
    }

    @Test
    void writesTheKerasHistoryAsAReadablePng() throws Exception {
        History h = History.readJson(TestSupport.reference().resolve("seed_example/history.json"));
        assertEquals(List.of(List.of("loss", "val_loss"), List.of("accuracy", "val_accuracy")), HistoryPlot.panels(h));
        Path png = dir.resolve("curves.png");
        HistoryPlot.write(h, png, "seed_example: 10 epochs", false);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(HistoryPlot.WIDTH, img.getWidth());
        assertEquals(700, img.getHeight());
        assertNotEquals(img.getRGB(0, 0), colourSomewhere(img), "something is drawn");
        assertEquals(ExitCode.IO, ExitCode.of(assertThrows(UserInputException.class, () -> HistoryPlot.write(h, png, "x", false))));
        HistoryPlot.write(h, png, null, true);
        if (System.getProperty("kerasport.plot.keep") != null)
            Files.copy(png, Path.of(System.getProperty("kerasport.plot.keep")), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The background warm-up the CLI starts changes nothing in what is written. */
    @Test
    void aPlotAfterTheWarmUpIsTheSamePlot() throws Exception {
        History h = History.readJson(TestSupport.reference().resolve("seed_example/history.json"));
        BufferedImage before = HistoryPlot.render(h, "same");
        HistoryPlot.prepare();
        HistoryPlot.prepare(); // once per process
        Path png = dir.resolve("after-warm-up.png");
        HistoryPlot.write(h, png, "same", false);
        BufferedImage after = ImageIO.read(png.toFile());
        assertEquals(before.getHeight(), after.getHeight());
        for (int y = 0; y < after.getHeight(); y++)
            for (int x = 0; x < after.getWidth(); x++) assertEquals(before.getRGB(x, y), after.getRGB(x, y), x + "," + y);
    }

    @Test
    void oneChartPerMetricAndGapsForNaN() throws Exception {
        History h = new History();
        for (int e = 0; e < 60; e++)
            h.add(e, HistoryTest.logs("loss", 1.0 / (e + 1), "mae", 0.5 / (e + 1), "accuracy", 1 - 0.5 / (e + 1),
                    "val_loss", e == 30 ? Double.NaN : 1.2 / (e + 1), "val_mae", 0.6 / (e + 1), "val_accuracy", e == 40 ? Double.POSITIVE_INFINITY : 0.9,
                    "lr", 0.01));
        assertEquals(List.of(List.of("loss", "val_loss"), List.of("mae", "val_mae"), List.of("accuracy", "val_accuracy"), List.of("lr")),
                HistoryPlot.panels(h));
        Path png = dir.resolve("four.png");
        HistoryPlot.write(h, png, "four charts", false);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        assertEquals(4 * HistoryPlot.PANEL_HEIGHT, img.getHeight());
        if (System.getProperty("kerasport.plot.keep") != null)
            Files.copy(png, Path.of(System.getProperty("kerasport.plot.keep") + ".four.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        History one = new History();
        one.add(0, HistoryTest.logs("loss", 0.3));
        BufferedImage single = HistoryPlot.render(one, null);
        assertEquals(700, single.getHeight());
        assertThrows(IllegalArgumentException.class, () -> HistoryPlot.render(new History(), "empty"));
        assertTrue(Files.isRegularFile(png));
    }

    private static int colourSomewhere(BufferedImage img) {
        for (int y = 0; y < img.getHeight(); y += 3)
            for (int x = 0; x < img.getWidth(); x += 3)
                if (img.getRGB(x, y) != img.getRGB(0, 0)) return img.getRGB(x, y);
        return img.getRGB(0, 0);
    }
}
