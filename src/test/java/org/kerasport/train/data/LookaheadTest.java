package org.kerasport.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class LookaheadTest {
    @Test
    void givesEveryItemInOrderBuiltOnTheHelperThread() {
        List<String> threads = new ArrayList<>();
        List<Integer> got = new ArrayList<>();
        try (var it = Lookahead.of(List.of(1, 2, 3, 4, 5), i -> {
            synchronized (threads) {
                threads.add(Thread.currentThread().getName());
            }
            return i * 10;
        }, "test-batches")) {
            while (it.hasNext()) got.add(it.next());
            assertThrows(NoSuchElementException.class, it::next);
        }
        assertEquals(List.of(10, 20, 30, 40, 50), got);
        assertEquals(List.of("test-batches", "test-batches", "test-batches", "test-batches", "test-batches"), threads);
    }

    /** Item 2 is built while the caller still holds item 1: its build finishes before the caller asks for it. */
    @Test
    void buildsTheNextItemWhileTheCallerWorks() throws InterruptedException {
        CountDownLatch secondBuilt = new CountDownLatch(1);
        try (var it = Lookahead.of(List.of(1, 2), i -> {
            if (i == 2) secondBuilt.countDown();
            return i;
        }, "test-batches")) {
            assertEquals(1, it.next());
            assertTrue(secondBuilt.await(10, TimeUnit.SECONDS), "the second item was not built ahead");
            assertEquals(2, it.next());
            assertFalse(it.hasNext());
        }
    }

    @Test
    void aFailureIsThrownForTheItemThatFailed() {
        IllegalArgumentException boom = new IllegalArgumentException("row 7 of 5");
        try (var it = Lookahead.of(List.of(1, 2, 3), i -> {
            if (i == 2) throw boom;
            return i;
        }, "test-batches")) {
            assertEquals(1, it.next());
            assertSame(boom, assertThrows(IllegalArgumentException.class, it::next));
            assertFalse(it.hasNext());
        }
    }

    @Test
    void emptyAndClosedEarly() throws InterruptedException {
        try (var it = Lookahead.of(List.<Integer>of(), i -> i, "test-batches")) {
            assertFalse(it.hasNext());
        }
        var it = Lookahead.of(List.of(1, 2, 3), i -> i, "test-batches-early");
        assertEquals(1, it.next());
        it.close();
        for (int i = 0; i < 100 && Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("test-batches-early")); i++)
            Thread.sleep(20);
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("test-batches-early")),
                "the helper thread stops when closed");
    }
}
