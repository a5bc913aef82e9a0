package org.ipc4j.mqueue;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.LazyLog;
import org.ipc4j.mqueue.internal.MqPoller;
import org.ipc4j.mqueue.internal.QueueHandle;

/**
 * The asynchronous receives of one queue: futures waiting in order, completed by the process-wide
 * {@link MqPoller} thread when the descriptor becomes readable. The poller's registration is one-shot and
 * re-armed while futures still wait, so an idle queue costs nothing. A message taken for a future that was
 * cancelled meanwhile is kept by the receiving end for the next receive.
 */
final class AsyncReceiver {
    private static final LazyLog LOG = new LazyLog(AsyncReceiver.class);

    private final QueueHandle queue;
    private final QueueReceiveEnd end;
    private final Object lock = new Object();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private long pollId;
    private boolean pollAdded;
    private boolean pollArmed;

    AsyncReceiver(QueueHandle queue, QueueReceiveEnd end) {
        this.queue = queue;
        this.end = end;
    }

    /** A future for the next message, completed through {@code executor} ({@code null}: the poller thread). */
    CompletableFuture<QueuedMessage> receive(Executor executor) {
        CompletableFuture<QueuedMessage> future = new CompletableFuture<>();
        Waiter waiter = new Waiter(future, executor);
        try {
            synchronized (lock) {
                waiting.add(waiter);
                armLocked();
            }
        } catch (IpcException e) {
            synchronized (lock) {
                waiting.remove(waiter);
            }
            future.completeExceptionally(e);
        }
        return future;
    }

    private record Waiter(CompletableFuture<QueuedMessage> future, Executor executor) {
        void complete(QueuedMessage m, QueueReceiveEnd end) {
            if (executor == null) {
                completeOrKeep(m, end);
                return;
            }
            try {
                executor.execute(() -> completeOrKeep(m, end));
            } catch (RejectedExecutionException e) {
                completeOrKeep(m, end);
            }
        }

        private void completeOrKeep(QueuedMessage m, QueueReceiveEnd end) {
            if (!future.complete(m)) {
                end.keepFirst(m);
            }
        }
    }

    /** Watches the descriptor for one readable event; holds {@link #lock}. */
    private void armLocked() throws IpcException {
        if (!queue.isOpen()) {
            throw queue.closedException();
        }
        if (pollArmed) {
            return;
        }
        queue.enter();
        try {
            MqPoller poller = MqPoller.shared();
            if (pollId == 0) {
                pollId = poller.register(this::onReadable);
            }
            if (end.hasKept()) {
                // A kept message never makes the descriptor readable: let the poller deliver it now.
                CompletableFuture.runAsync(this::onReadable);
                return;
            }
            poller.arm(queue.fd(), pollId, !pollAdded);
            pollAdded = true;
            pollArmed = true;
        } finally {
            queue.exit();
        }
    }

    /** Runs on the poller thread: hands queued messages to waiting futures, then re-arms if some still wait. */
    private void onReadable() {
        synchronized (lock) {
            pollArmed = false;
        }
        ByteBuffer buffer = null;
        MessageInfo info = new MessageInfo();
        while (true) {
            Waiter next;
            synchronized (lock) {
                while ((next = waiting.peek()) != null && next.future().isDone()) {
                    waiting.poll();
                }
                if (next == null) {
                    return;
                }
            }
            if (buffer == null) {
                buffer = ByteBuffer.allocateDirect(queue.maxMessageSize());
            }
            buffer.clear();
            int length;
            try {
                length = end.receive(buffer, Deadline.passed(), false, info);
            } catch (EndpointClosedException e) {
                return; // close() fails the waiters
            } catch (IpcException | RuntimeException | java.io.InterruptedIOException e) {
                synchronized (lock) {
                    waiting.remove(next);
                }
                next.future().completeExceptionally(e);
                continue;
            }
            if (length == Receiver.NO_MESSAGE) {
                synchronized (lock) {
                    if (!waiting.isEmpty()) {
                        try {
                            armLocked();
                        } catch (IpcException e) {
                            failLocked(e);
                        }
                    }
                }
                return;
            }
            buffer.flip();
            byte[] payload = new byte[length];
            buffer.get(payload);
            synchronized (lock) {
                waiting.remove(next);
            }
            next.complete(new QueuedMessage(payload, info.priority()), end);
        }
    }

    private void failLocked(IpcException e) {
        Waiter w;
        while ((w = waiting.poll()) != null) {
            w.future().completeExceptionally(e);
        }
    }

    /** On close: fails every waiting future with {@link EndpointClosedException}, outside the lock. */
    void failWaiters() {
        List<Waiter> failed;
        synchronized (lock) {
            failed = new ArrayList<>(waiting);
            waiting.clear();
        }
        // Dependent actions run on this thread and may call back into the queue: no lock held.
        for (Waiter w : failed) {
            w.future().completeExceptionally(queue.closedException());
        }
    }

    /** On release, before the descriptor is closed: stops watching it. */
    void unregister() {
        synchronized (lock) {
            if (pollId != 0) {
                try {
                    MqPoller.shared().remove(queue.fd(), pollId, pollAdded);
                } catch (IpcException e) {
                    LOG.get().debug("could not unregister {} from the poller", queue.posixName(), e);
                }
            }
        }
    }
}
