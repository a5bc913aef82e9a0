package org.ipc4j.pipe.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.Channel;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MalformedFrameException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.framing.FrameWriter;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.DeadlineChannel;

/**
 * The engine under every pipe and FIFO channel: a framed {@link Channel} over a blocking byte stream in
 * each direction.
 *
 * <p>Why two threads: a blocking pipe read or write cannot be given a timeout, cannot be abandoned by
 * {@code close()} on every stream type (closing a {@code FileInputStream} does not wake a thread blocked
 * in {@code read(2)} on Linux), and cannot be tried without blocking. So a reader thread pulls whole frames
 * off the input into a bounded queue, and a writer thread pushes queued frames into the output. Callers
 * only ever wait on this object's conditions, which {@code close()}, interrupts and deadlines can always
 * end. {@code trySend} only appends to the outbound queue under a lock that no thread holds during I/O,
 * so it never blocks.
 *
 * <p>Capacity seen by a sender: the outbound queue ({@code sendQueueBytes}), the kernel pipe buffer and
 * the peer's inbound queue. A message larger than a queue is accepted when that queue is empty, so every
 * message up to the maximum can travel.
 */
public final class StreamChannel extends DeadlineChannel {
    /** Default bytes held in the outbound queue before senders wait. */
    public static final int DEFAULT_SEND_QUEUE_BYTES = 256 << 10;
    /** Default bytes held in the inbound queue before the reader thread stops reading the pipe. */
    public static final int DEFAULT_RECEIVE_QUEUE_BYTES = 256 << 10;
    /** How long close() waits for queued messages to be written before it cuts the stream. */
    public static final Duration CLOSE_LINGER = Duration.ofSeconds(2);
    /** Bytes handed to the stream in one write: any frame up to this size is one write(2) call. */
    private static final int WRITE_CHUNK = 64 << 10;

    /** Reads something the peer sends before its first frame (a handshake); may log or reject it. */
    @FunctionalInterface
    public interface Preamble {
        void consume(InputStream in) throws IOException;
    }

    private final String name;
    private final int maxMessageSize;
    private final InputStream in;
    private final OutputStream out;
    private final Supplier<String> goneReason;
    private final Runnable afterClose;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private final ReentrantLock inLock = new ReentrantLock();
    private final Condition inNotEmpty = inLock.newCondition();
    private final Condition inNotFull = inLock.newCondition();
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private final long inboundCapacity;
    private long inboundBytes;
    /** Set once nothing more can arrive: a PeerGoneException or a MalformedFrameException to report. */
    private IpcException inboundEnd;

    private final ReentrantLock outLock = new ReentrantLock();
    private final Condition outNotEmpty = outLock.newCondition();
    private final Condition outNotFull = outLock.newCondition();
    private final Condition outDone = outLock.newCondition();
    private final ArrayDeque<byte[]> outbound = new ArrayDeque<>();
    private final long outboundCapacity;
    private long outboundBytes;
    private boolean closing;
    private boolean writerDone;
    private IOException writeFailure;

    /**
     * @param in the stream from the peer, or null for a send-only endpoint
     * @param out the stream to the peer, or null for a receive-only endpoint
     * @param goneReason builds the text of the PeerGoneException when the input ends (called on the reader thread)
     * @param preamble consumed before the first frame, or null
     * @param afterClose run at the end of close(), or null
     */
    public StreamChannel(String name, InputStream in, OutputStream out, int maxMessageSize, int sendQueueBytes,
            int receiveQueueBytes, Supplier<String> goneReason, Preamble preamble, Runnable afterClose) {
        this.name = Objects.requireNonNull(name, "name");
        this.maxMessageSize = Framing.checkMaxFrame(maxMessageSize);
        if (sendQueueBytes < 0 || receiveQueueBytes < 0) {
            throw new IllegalArgumentException("queue sizes must not be negative, got send " + sendQueueBytes
                    + ", receive " + receiveQueueBytes);
        }
        this.in = in;
        this.out = out;
        this.outboundCapacity = sendQueueBytes;
        this.inboundCapacity = receiveQueueBytes;
        this.goneReason = goneReason != null ? goneReason : () -> name + ": the peer closed its end";
        this.afterClose = afterClose;
        if (in != null) {
            Thread reader = new Thread(() -> readLoop(preamble), "ipc4j-pipe-reader " + name);
            reader.setDaemon(true);
            reader.start();
        }
        if (out != null) {
            Thread writer = new Thread(this::writeLoop, "ipc4j-pipe-writer " + name);
            writer.setDaemon(true);
            writer.start();
        } else {
            writerDone = true;
        }
    }

    // ------------------------------------------------------------------ receiving

    private void readLoop(Preamble preamble) {
        IpcException end;
        try {
            if (preamble != null) {
                preamble.consume(in);
            }
            byte[] header = new byte[Framing.HEADER_BYTES];
            while (true) {
                int got = readFully(header, Framing.HEADER_BYTES);
                if (got == 0) {
                    end = new PeerGoneException(goneReason.get());
                    break;
                }
                if (got < Framing.HEADER_BYTES) {
                    end = truncated(got, Framing.HEADER_BYTES, "length prefix");
                    break;
                }
                int length = Framing.checkLength(ByteBuffer.wrap(header).getInt(), maxMessageSize, name);
                byte[] payload = readPayload(length);
                if (payload.length < length) {
                    end = truncated(payload.length, length, "payload");
                    break;
                }
                if (!enqueueInbound(payload)) {
                    return;
                }
            }
        } catch (MalformedFrameException e) {
            end = e;
        } catch (java.io.EOFException e) {
            end = new PeerGoneException(goneReason.get() + " (" + e.getMessage() + ")", e);
        } catch (IOException | RuntimeException e) {
            if (!open.get()) {
                return;
            }
            end = new PeerGoneException(name + ": reading from the peer failed: " + e, e);
        }
        inLock.lock();
        try {
            inboundEnd = end;
            inNotEmpty.signalAll();
        } finally {
            inLock.unlock();
        }
    }

    private PeerGoneException truncated(int got, int wanted, String what) {
        return new PeerGoneException(goneReason.get() + " in the middle of a frame (" + got + " of " + wanted + " "
                + what + " bytes); the partial frame is discarded",
                new MalformedFrameException(name + ": stream ended inside a frame"));
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

    /** Waits for room in the inbound queue; false if the channel was closed meanwhile. */
    private boolean enqueueInbound(byte[] payload) {
        inLock.lock();
        try {
            while (open.get() && inboundBytes > 0 && inboundBytes + payload.length > inboundCapacity) {
                inNotFull.awaitUninterruptibly();
            }
            if (!open.get()) {
                return false;
            }
            inbound.add(payload);
            inboundBytes += payload.length;
            inNotEmpty.signalAll();
            return true;
        } finally {
            inLock.unlock();
        }
    }

    @Override
    protected int receive(ByteBuffer destination, Deadline deadline, boolean wait)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(destination, "destination");
        ensureOpen();
        if (in == null) {
            throw new UnsupportedOperationException(name + " is send-only");
        }
        inLock.lock();
        try {
            while (true) {
                ensureOpen();
                byte[] head = inbound.peek();
                if (head != null) {
                    if (head.length > destination.remaining()) {
                        throw new BufferTooSmallException(head.length, destination.remaining());
                    }
                    inbound.poll();
                    inboundBytes -= head.length;
                    inNotFull.signalAll();
                    destination.put(head);
                    return head.length;
                }
                if (inboundEnd != null) {
                    throw copy(inboundEnd);
                }
                if (!wait || !await(inNotEmpty, deadline)) {
                    return NO_MESSAGE;
                }
            }
        } finally {
            inLock.unlock();
        }
    }

    private static IpcException copy(IpcException e) {
        // a fresh exception per call, so each caller gets its own stack trace; the first cause is kept
        if (e instanceof MalformedFrameException) {
            MalformedFrameException m = new MalformedFrameException(e.getMessage());
            m.initCause(e);
            return m;
        }
        return new PeerGoneException(e.getMessage(), e);
    }

    // ------------------------------------------------------------------ sending

    @Override
    protected boolean send(ByteBuffer message, Deadline deadline, boolean wait) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(message, "message");
        Framing.checkOutgoing(message, maxMessageSize, name);
        ensureOpen();
        if (out == null) {
            throw new UnsupportedOperationException(name + " is receive-only");
        }
        int length = message.remaining();
        outLock.lock();
        try {
            while (true) {
                ensureOpen();
                if (writeFailure != null) {
                    throw new PeerGoneException(name + ": the peer no longer reads (" + writeFailure.getMessage() + ")",
                            writeFailure);
                }
                if (outboundBytes == 0 || outboundBytes + length <= outboundCapacity) {
                    byte[] copy = new byte[length];
                    message.get(copy);
                    outbound.add(copy);
                    outboundBytes += length;
                    outNotEmpty.signal();
                    return true;
                }
                if (!wait || !await(outNotFull, deadline)) {
                    return false;
                }
            }
        } finally {
            outLock.unlock();
        }
    }

    private void writeLoop() {
        FrameWriter writer = new FrameWriter(out, maxMessageSize, name, WRITE_CHUNK);
        IOException failure = null;
        try {
            while (true) {
                byte[] next;
                outLock.lock();
                try {
                    while (outbound.isEmpty() && !closing) {
                        outNotEmpty.awaitUninterruptibly();
                    }
                    if (outbound.isEmpty()) {
                        break;
                    }
                    next = outbound.peek();
                } finally {
                    outLock.unlock();
                }
                writer.write(ByteBuffer.wrap(next));
                outLock.lock();
                try {
                    outbound.poll();
                    outboundBytes -= next.length;
                    outNotFull.signalAll();
                } finally {
                    outLock.unlock();
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
        }
        // closing our write end is what tells the peer "no more messages" (EOF)
        closeQuietly(out);
        outLock.lock();
        try {
            if (failure != null) {
                writeFailure = failure;
                outbound.clear();
                outboundBytes = 0;
                outNotFull.signalAll();
            }
            writerDone = true;
            outDone.signalAll();
        } finally {
            outLock.unlock();
        }
    }

    // ------------------------------------------------------------------ common

    private static boolean await(Condition condition, Deadline deadline) throws InterruptedIOException {
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

    private void ensureOpen() throws EndpointClosedException {
        if (!open.get()) {
            throw new EndpointClosedException(name);
        }
    }

    @Override
    public int maxMessageSize() {
        return maxMessageSize;
    }

    @Override
    public boolean isOpen() {
        return open.get();
    }

    /** The endpoint's name as used in messages. */
    public String name() {
        return name;
    }

    /**
     * Closes: wakes every waiter, lets the writer thread flush queued messages for up to {@link #CLOSE_LINGER}
     * and then closes the output (the peer sees end of stream) and the input.
     */
    @Override
    public void close() {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        inLock.lock();
        try {
            inNotEmpty.signalAll();
            inNotFull.signalAll();
        } finally {
            inLock.unlock();
        }
        boolean flushed;
        outLock.lock();
        try {
            closing = true;
            outNotEmpty.signalAll();
            outNotFull.signalAll();
            long left = CLOSE_LINGER.toNanos();
            while (!writerDone && left > 0) {
                left = outDone.awaitNanos(left);
            }
            flushed = writerDone;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            flushed = writerDone;
        } finally {
            outLock.unlock();
        }
        if (!flushed) {
            // the peer does not read: cut the stream (wakes a FileChannel-backed writer at once)
            closeInBackground(out);
        }
        closeInBackground(in);
        if (afterClose != null) {
            afterClose.run();
        }
    }

    /**
     * Closes a stream on a short-lived thread: buffered and process streams take a lock that a thread blocked
     * in read or write holds, and close() must not wait for the peer.
     */
    private void closeInBackground(AutoCloseable c) {
        if (c == null) {
            return;
        }
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
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is best effort: the endpoint is closed either way
        }
    }

    @Override
    public String toString() {
        return "StreamChannel[" + name + (open.get() ? "" : ", closed") + "]";
    }
}
