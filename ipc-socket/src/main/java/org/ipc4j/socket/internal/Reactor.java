package org.ipc4j.socket.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.ipc4j.api.internal.LazyLog;

/**
 * One thread and one {@link Selector} that do the socket I/O of many stream connections, so that an idle
 * connection costs a selection key and a few small buffers, never a thread. Handlers run on the reactor
 * thread and must not block.
 */
public final class Reactor implements AutoCloseable {
    private static final LazyLog LOG = new LazyLog(Reactor.class);
    private static final Object SHARED_LOCK = new Object();
    private static Reactor shared;

    /** Called on the reactor thread when a registered channel is ready. */
    public interface Handler {
        void ready(SelectionKey key);

        /** Called once per loop while the handler asked for it: used to enforce close deadlines. */
        default void tick() {
        }
    }

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Queue<Handler> ticking = new ConcurrentLinkedQueue<>();
    /** Shared by every read on this reactor: only the reactor thread reads. */
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private volatile boolean running = true;

    public Reactor(String name) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** The process-wide reactor of client connections, started on first use. */
    public static Reactor shared() {
        synchronized (SHARED_LOCK) {
            if (shared == null) {
                shared = new Reactor("ipc4j-socket-io");
            }
            return shared;
        }
    }

    /** The buffer a handler reads into; valid only on the reactor thread during {@link Handler#ready}. */
    public ByteBuffer readBuffer() {
        return readBuffer;
    }

    public boolean inReactorThread() {
        return Thread.currentThread() == thread;
    }

    /** Registers a non-blocking channel; callable from any thread (the JDK queues the registration). */
    public SelectionKey register(SelectableChannel channel, int ops, Handler handler) throws IOException {
        SelectionKey key = channel.register(selector, ops, handler);
        selector.wakeup();
        return key;
    }

    /** Runs {@code task} on the reactor thread. */
    public void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Asks for {@link Handler#tick()} calls (at least every 50 ms) until the handler is removed. */
    public void startTicking(Handler handler) {
        ticking.add(handler);
        selector.wakeup();
    }

    public void stopTicking(Handler handler) {
        ticking.remove(handler);
    }

    /** Changes interest ops from any thread and makes the change take effect now. */
    public void interestOr(SelectionKey key, int ops) {
        if (key.isValid()) {
            try {
                key.interestOpsOr(ops);
            } catch (java.nio.channels.CancelledKeyException ignored) {
                return; // closed concurrently: nothing to wait for any more
            }
            if (!inReactorThread()) {
                selector.wakeup();
            }
        }
    }

    public void wakeup() {
        selector.wakeup();
    }

    private void loop() {
        try {
            while (running) {
                selector.select(key -> {
                    Handler h = (Handler) key.attachment();
                    try {
                        h.ready(key);
                    } catch (RuntimeException | Error e) {
                        LOG.get().error("socket handler failed; closing its channel", e);
                        key.cancel();
                        closeQuietly(key.channel());
                    }
                }, ticking.isEmpty() ? 0 : 50);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        LOG.get().error("socket reactor task failed", e);
                    }
                }
                for (Handler h : ticking) {
                    h.tick();
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (running) {
                LOG.get().error("socket reactor stopped", e);
            }
        } finally {
            for (SelectionKey key : selectorKeys()) {
                closeQuietly(key.channel());
            }
            closeQuietly(selector);
        }
    }

    private Iterable<SelectionKey> selectorKeys() {
        try {
            return java.util.List.copyOf(selector.keys());
        } catch (ClosedSelectorException e) {
            return java.util.List.of();
        }
    }

    /** Stops the thread and closes every channel still registered. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        if (!inReactorThread()) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort on a failure path
        }
    }
}
