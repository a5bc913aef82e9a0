package org.ipc4j.pipe.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.framing.FrameWriter;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.SendEnd;

/**
 * The sending end of a framed channel over a blocking {@link OutputStream} (see {@link StreamReceiveEnd} for
 * when one is used). A blocking write cannot time out, be abandoned or be tried, so a writer thread writes
 * queued messages to the stream and senders only append to a bounded queue ({@code queueBytes}; a larger
 * message is accepted when the queue is empty) under a lock that no thread holds during I/O: {@code trySend}
 * never blocks, and {@code send} returns once the message is queued. Once a write fails (the reader is gone),
 * every send throws {@link PeerGoneException}.
 */
public final class StreamSendEnd extends SendEnd {
    /** How long close() waits for queued messages to be written before it cuts the stream. */
    public static final Duration CLOSE_LINGER = Duration.ofSeconds(2);
    /** Bytes handed to the stream in one write: any frame up to this size is one write(2) call. */
    private static final int WRITE_CHUNK = 64 << 10;

    private final String name;
    private final OutputStream out;
    private final int maxMessageSize;
    private final long queueCapacity;
    private volatile boolean open = true;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Condition done = lock.newCondition();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean closing;
    private boolean writerDone;
    private IOException writeFailure;

    /** Starts the writer thread; {@code out} is owned from now on. */
    public StreamSendEnd(String name, OutputStream out, int maxMessageSize, int queueBytes) {
        this.name = Objects.requireNonNull(name, "name");
        this.out = Objects.requireNonNull(out, "out");
        this.maxMessageSize = Framing.checkMaxFrame(maxMessageSize);
        if (queueBytes < 0) {
            throw new IllegalArgumentException("queue size must not be negative, got " + queueBytes);
        }
        this.queueCapacity = queueBytes;
        Thread writer = new Thread(this::writeLoop, "ipc4j-pipe-writer " + name);
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    protected boolean send(ByteBuffer message, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        int length = message.remaining();
        lock.lock();
        try {
            while (true) {
                if (!open) {
                    throw closedException();
                }
                if (writeFailure != null) {
                    throw new PeerGoneException(name + ": the peer no longer reads (" + writeFailure.getMessage() + ")",
                            writeFailure);
                }
                if (queuedBytes == 0 || queuedBytes + length <= queueCapacity) {
                    byte[] copy = new byte[length];
                    message.duplicate().get(copy);
                    queue.add(copy);
                    queuedBytes += length;
                    notEmpty.signal();
                    return true;
                }
                if (!mayWait || !StreamReceiveEnd.await(notFull, deadline)) {
                    return false;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void writeLoop() {
        FrameWriter writer = new FrameWriter(out, maxMessageSize, name, WRITE_CHUNK);
        IOException failure = null;
        try {
            while (true) {
                byte[] next;
                lock.lock();
                try {
                    while (queue.isEmpty() && !closing) {
                        notEmpty.awaitUninterruptibly();
                    }
                    if (queue.isEmpty()) {
                        break;
                    }
                    next = queue.peek();
                } finally {
                    lock.unlock();
                }
                writer.write(ByteBuffer.wrap(next));
                lock.lock();
                try {
                    queue.poll();
                    queuedBytes -= next.length;
                    notFull.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
        }
        // closing our write end is what tells the peer "no more messages" (end of file)
        closeQuietly(out);
        lock.lock();
        try {
            if (failure != null) {
                writeFailure = failure;
                queue.clear();
                queuedBytes = 0;
                notFull.signalAll();
            }
            writerDone = true;
            done.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int maxMessageSize() {
        return maxMessageSize;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    protected String describe() {
        return name;
    }

    /**
     * Wakes every waiting sender, lets the writer thread write what is queued for up to {@link #CLOSE_LINGER},
     * then closes the stream (the peer sees end of stream). Idempotent.
     */
    @Override
    public void close() {
        boolean flushed;
        lock.lock();
        try {
            if (!open) {
                return;
            }
            open = false;
            closing = true;
            notEmpty.signalAll();
            notFull.signalAll();
            long left = CLOSE_LINGER.toNanos();
            while (!writerDone && left > 0) {
                left = done.awaitNanos(left);
            }
            flushed = writerDone;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            flushed = writerDone;
        } finally {
            lock.unlock();
        }
        if (!flushed) {
            // the peer does not read: cut the stream (wakes a FileChannel-backed writer at once)
            closeInBackground(out, name);
        }
    }

    /**
     * Closes a stream on a short-lived thread: buffered and process streams take a lock that a thread blocked
     * in read or write holds, and close() must not wait for the peer.
     */
    static void closeInBackground(AutoCloseable c, String name) {
        Thread closer = new Thread(() -> closeQuietly(c), "ipc4j-pipe-close " + name);
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is best effort: the endpoint is closed either way
        }
    }

    @Override
    public String toString() {
        return "StreamSendEnd[" + name + (open ? "" : ", closed") + "]";
    }
}
