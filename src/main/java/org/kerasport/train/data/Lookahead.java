package org.kerasport.train.data;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The items {@code build} makes from a list, in order, each one built on a helper thread while the caller works on
 * the one before (one item ahead): a training loop gets its next batch ready while the current step runs on the
 * other core. The items are exactly what {@code build} returns, whichever thread made them; a failure is thrown by
 * {@link #next()} for the item that failed, as it would have been without the helper. {@link #close()} stops the
 * helper thread (a loop left early leaves at most one item built for nothing).
 */
public final class Lookahead<S, T> implements Iterator<T>, AutoCloseable {
    private final Iterator<S> sources;
    private final Function<S, T> build;
    private final ExecutorService helper;
    private Future<T> ahead;

    private Lookahead(List<S> sources, Function<S, T> build, String threadName) {
        this.sources = sources.iterator();
        this.build = build;
        this.helper = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        submitNext();
    }

    /** Iterates over {@code build(s)} for every {@code s} of {@code sources}, one built ahead on a daemon thread. */
    public static <S, T> Lookahead<S, T> of(List<S> sources, Function<S, T> build, String threadName) {
        return new Lookahead<>(sources, build, threadName);
    }

    private void submitNext() {
        if (!sources.hasNext()) {
            ahead = null;
            return;
        }
        S s = sources.next();
        ahead = helper.submit(() -> build.apply(s));
    }

    @Override
    public boolean hasNext() {
        return ahead != null;
    }

    @Override
    public T next() {
        if (ahead == null) throw new NoSuchElementException();
        Future<T> f = ahead;
        ahead = null;
        T item = await(f, "the next batch");
        submitNext();
        return item;
    }

    /**
     * The result of a helper thread's task: its own exception rethrown as it was (a RuntimeException or Error),
     * anything else wrapped; an interrupt while waiting is kept and reported as {@code what} not being ready.
     */
    public static <V> V await(Future<V> f, String what) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    @Override
    public void close() {
        if (ahead != null) ahead.cancel(false);
        helper.shutdownNow();
    }
}
