package org.ipc4j.pipe.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MalformedFrameException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.ReceiveEnd;
import org.ipc4j.api.internal.Receiving;

/**
 * The receiving end of a framed channel over a blocking {@link InputStream} that cannot be polled (any stream
 * a caller hands to {@code StreamChannels}, or a child's standard output where no POSIX descriptor is
 * available). A blocking read cannot be given a timeout, cannot always be abandoned by closing the stream
 * (closing a {@code FileInputStream} does not wake a thread blocked in {@code read(2)} on Linux) and cannot be
 * tried without blocking; so a reader thread pulls whole frames off the stream into a bounded queue
 * ({@code queueBytes}; a larger frame is queued when the queue is empty), and receivers wait on the queue,
 * which close, interrupts and deadlines can always end. Where a descriptor exists, {@link FdReceiveEnd}
 * reads on the caller's thread instead.
 */
public final class StreamReceiveEnd extends ReceiveEnd {
    private final String name;
    private final InputStream in;
    private final int maxMessageSize;
    private final long queueCapacity;
    private final Supplier<String> goneReason;
    private volatile boolean open = true;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** Set once nothing more can arrive: a PeerGoneException or a MalformedFrameException to report. */
    private IpcException end;

    /**
     * Starts the reader thread.
     *
     * @param in the stream from the peer, owned from now on
     * @param goneReason builds the text of the PeerGoneException when the stream ends (called on the reader thread)
     * @param preamble a scan to run over the stream before its first frame, or null
     */
    public StreamReceiveEnd(String name, InputStream in, int maxMessageSize, int queueBytes, Supplier<String> goneReason,
            Handshake preamble) {
        this.name = Objects.requireNonNull(name, "name");
        this.in = Objects.requireNonNull(in, "in");
        this.maxMessageSize = Framing.checkMaxFrame(maxMessageSize);
        if (queueBytes < 0) {
            throw new IllegalArgumentException("queue size must not be negative, got " + queueBytes);
        }
        this.queueCapacity = queueBytes;
        this.goneReason = Objects.requireNonNull(goneReason, "goneReason");
        Thread reader = new Thread(() -> readLoop(preamble), "ipc4j-pipe-reader " + name);
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop(Handshake preamble) {
        IpcException ended;
        try {
            if (preamble != null) {
                preamble.skip(in);
            }
            byte[] header = new byte[Framing.HEADER_BYTES];
            while (true) {
                int got = readFully(header, Framing.HEADER_BYTES);
                if (got == 0) {
                    ended = new PeerGoneException(goneReason.get());
                    break;
                }
                if (got < Framing.HEADER_BYTES) {
                    ended = EndOfStream.truncated(goneReason.get(), true, got, Framing.HEADER_BYTES);
                    break;
                }
                int length = Framing.checkLength(ByteBuffer.wrap(header).getInt(), maxMessageSize, name);
                byte[] payload = readPayload(length);
                if (payload.length < length) {
                    ended = EndOfStream.truncated(goneReason.get(), false, payload.length, length);
                    break;
                }
                if (!enqueue(payload)) {
                    return;
                }
            }
        } catch (MalformedFrameException e) {
            ended = e;
        } catch (EOFException e) {
            ended = new PeerGoneException(goneReason.get() + " (" + e.getMessage() + ")", e);
        } catch (IOException | RuntimeException e) {
            if (!open) {
                return;
            }
            ended = new PeerGoneException(name + ": reading from the peer failed: " + e, e);
        }
        lock.lock();
        try {
            end = ended;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads a payload, growing the buffer with the bytes that actually arrive rather than the announced length.
     * Returns fewer than {@code length} bytes if the stream ends first.
     */
    private byte[] readPayload(int length) throws IOException {
        byte[] buffer = new byte[Math.min(length, 64 << 10)];
        int total = 0;
        while (total < length) {
            if (total == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(length, buffer.length * 2L));
            }
            int n = in.read(buffer, total, buffer.length - total);
            if (n < 0) {
                return Arrays.copyOf(buffer, total);
            }
            total += n;
        }
        return buffer;
    }

    private int readFully(byte[] buffer, int length) throws IOException {
        int total = 0;
        while (total < length) {
            int n = in.read(buffer, total, length - total);
            if (n < 0) {
                return total;
            }
            total += n;
        }
        return total;
    }

    /** Waits for room in the queue; false if the end was closed meanwhile. */
    private boolean enqueue(byte[] payload) {
        lock.lock();
        try {
            while (open && queuedBytes > 0 && queuedBytes + payload.length > queueCapacity) {
                notFull.awaitUninterruptibly();
            }
            if (!open) {
                return false;
            }
            queue.add(payload);
            queuedBytes += payload.length;
            notEmpty.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected ByteBuffer receive(ByteBuffer destination, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        lock.lock();
        try {
            while (true) {
                if (!open) {
                    throw closedException();
                }
                byte[] head = queue.peek();
                if (head != null) {
                    // the queued array is exactly the message: a byte[] receive takes it without another copy
                    ByteBuffer target = destination == null ? ByteBuffer.wrap(head).position(head.length)
                            : Receiving.into(destination, head.length).put(head);
                    queue.poll();
                    queuedBytes -= head.length;
                    notFull.signalAll();
                    return target;
                }
                if (end != null) {
                    throw EndOfStream.copy(end);
                }
                if (!mayWait || !await(notEmpty, deadline)) {
                    return null;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits on {@code condition} until signalled or the deadline; false once the deadline has passed. */
    static boolean await(Condition condition, Deadline deadline) throws InterruptedIOException {
        try {
            if (deadline.isForever()) {
                condition.await();
                return true;
            }
            long left = deadline.remainingNanos();
            if (left <= 0) {
                return false;
            }
            condition.awaitNanos(left);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting on the pipe");
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

    /** Wakes every waiter and closes the stream (in the background: a blocked read may hold its lock). */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!open) {
                return;
            }
            open = false;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        StreamSendEnd.closeInBackground(in, name);
    }

    @Override
    public String toString() {
        return "StreamReceiveEnd[" + name + (open ? "" : ", closed") + "]";
    }
}
