package org.kerasport.train.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String out() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainLogIsOneLinePerEpochLikeKerasVerbose2() {
        TrainingListener p = Progress.forStream(err, false, false);
        assertTrue(p instanceof EpochLog);
        p.onTrainStart(10, 32);
        p.onEpochStart(0);
        p.onBatchEnd(0, 0, HistoryTest.logs("loss", 0.3));
        p.onEpochEnd(0, HistoryTest.logs("accuracy", 0.874, "loss", 0.10234, "val_accuracy", 0.9, "val_loss", 0.0000123), 0.41);
        p.onEpochEnd(1, HistoryTest.logs("loss", 0.1), 75);
        p.onTrainEnd(new History(), 1);
        assertEquals("epoch 1/10 - 0.4 s - loss: 0.1023 - accuracy: 0.8740 - val_loss: 1.2300e-05 - val_accuracy: 0.9000\n"
                + "epoch 2/10 - 1:15 - loss: 0.1000\n", out().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void quietShowsNothing() {
        TrainingListener p = Progress.forStream(err, true, true);
        assertSame(Progress.QUIET, p);
        p.onTrainStart(1, 1);
        p.onEpochEnd(0, HistoryTest.logs("loss", 1), 1);
        assertEquals("", out());
    }

    @Test
    void barRedrawsInPlaceAtMostTenTimesASecond() {
        AtomicLong now = new AtomicLong();
        ProgressBar bar = new ProgressBar(err, 120, now::get);
        bar.onTrainStart(2, 32);
        bar.onEpochStart(0);
        for (int b = 0; b < 32; b++) {
            now.addAndGet(20_000_000L); // 20 ms a batch: 50 batches/s, so one redraw in five
            bar.onBatchEnd(0, b, HistoryTest.logs("loss", 0.5 - b / 100.0, "accuracy", 0.5));
        }
        bar.onEpochEnd(0, HistoryTest.logs("loss", 0.19, "accuracy", 0.5, "val_loss", 0.2), 0.64);
        String s = out();
        String[] draws = s.split("\r", -1);
        // first batch, then every 100 ms (5 batches), the last batch, and the epoch's final line
        assertEquals(1 + 1 + 6 + 1 + 1, draws.length, s);
        assertEquals("", draws[0]);
        assertEquals("epoch 1/2 [>.............................]  1/32 - ETA 0.6 s - loss: 0.5000 - accuracy: 0.5000", draws[1]);
        assertEquals("epoch 1/2 [=====>........................]  6/32 - ETA 0.5 s - loss: 0.4500 - accuracy: 0.5000", draws[2]);
        assertTrue(draws[draws.length - 2].startsWith("epoch 1/2 [==============================] 32/32 - 0.6 s - loss: 0.1900"), s);
        assertEquals("epoch 1/2 [==============================] 32/32 - 0.6 s - loss: 0.1900 - accuracy: 0.5000 - val_loss: 0.2000\n",
                draws[draws.length - 1]);
        for (String d : draws) assertTrue(d.length() < 120, "never wider than the terminal: " + d);
    }

    @Test
    void barCutsLinesToTheTerminalAndBlanksLeftovers() {
        AtomicLong now = new AtomicLong();
        ProgressBar bar = new ProgressBar(err, 80, now::get);
        bar.onTrainStart(1, 100);
        bar.onEpochStart(0);
        bar.onBatchEnd(0, 0, HistoryTest.logs("loss", 0.5, "accuracy", 0.5, "mae", 0.4));
        now.addAndGet(1_000_000_000L);
        bar.onBatchEnd(0, 1, HistoryTest.logs());
        bar.onTrainEnd(new History(), 1); // stopped inside the epoch: the line is ended
        String[] draws = out().split("\r", -1);
        assertEquals(79, draws[1].length());
        assertTrue(draws[2].startsWith("epoch 1/1 [>.............................]   2/100 - ETA 49.0 s"), draws[2]);
        assertEquals(79 + 1, draws[2].length(), "padded over the longer previous line, then the newline");
        assertTrue(draws[2].endsWith(" \n"));
    }

    @Test
    void keptEpochLineDropsTheBarRatherThanWrap() {
        ProgressBar bar = new ProgressBar(err, 80, () -> 0L);
        bar.onTrainStart(10, 100);
        bar.onEpochEnd(2, HistoryTest.logs("loss", 0.5, "accuracy", 0.5, "val_loss", 0.5, "val_accuracy", 0.5), 3);
        assertEquals("\repoch 3/10 - 3.0 s - loss: 0.5000 - accuracy: 0.5000 - val_loss: 0.5000 - val_accuracy: 0.5000\n", out());
    }

    @Test
    void barWithoutBatchCount() {
        AtomicLong now = new AtomicLong();
        ProgressBar bar = new ProgressBar(err, 100, now::get);
        bar.onTrainStart(3, -1);
        bar.onBatchEnd(0, 6, HistoryTest.logs("loss", 0.5));
        bar.onEpochEnd(0, HistoryTest.logs("loss", 0.5), 2);
        assertEquals("\repoch 1/3 batch 7 - 0.0 s - loss: 0.5000\repoch 1/3 - 2.0 s - loss: 0.5000        \n", out());
    }
}
