package org.ipc4j.pipe.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.Channel;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MalformedFrameException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.framing.FrameDecoder;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.Errno;

/**
 * A framed channel directly on FIFO file descriptors opened with {@code O_NONBLOCK}: the calling thread
 * reads and writes the kernel pipe itself, with no queue and no helper thread in between.
 *
 * <p>Waiting happens in {@code poll(2)} slices of {@value #SLICE_MILLIS} ms, so a deadline, an interrupt or
 * {@link #close()} from another thread ends a wait within one slice. The capacity is exactly the kernel
 * pipe's: {@code trySend} fails when the pipe has no room and nothing moves until the peer reads.
 *
 * <p>Writes: a frame of at most {@code PIPE_BUF} (4096) bytes is one non-blocking {@code write(2)}, which
 * the kernel performs whole or not at all ({@code EAGAIN}). A larger frame may go out in parts; once its first
 * part is written the rest is written however long that takes (a half frame would corrupt the stream), so
 * a timeout only bounds the wait for room to start. {@code trySend} of a larger frame therefore starts only
 * when the pipe is empty and can hold the whole frame, and otherwise returns false: it never blocks.
 *
 * <p>The descriptors are closed by {@code close()}, or by the last thread still inside an operation, so a
 * descriptor number is never reused while a thread may still use it.
 */
public final class FdChannel implements Channel {
    static final int SLICE_MILLIS = 50;
    private static final int PIPE_BUF = 4096;
    private static final int READ_CHUNK = 64 << 10;

    private final String name;
    private final int maxMessageSize;
    private final String goneReason;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final Object fdLock = new Object();
    private int readFd;
    private int writeFd;
    private int users;

    private final ReentrantLock sendLock = new ReentrantLock();
    private Memory sendBuffer;
    private IpcException writeFailure;
    private final int pipeCapacity;

    private final ReentrantLock receiveLock = new ReentrantLock();
    private final Memory readChunk;
    private final ByteBuffer unread = ByteBuffer.allocate(READ_CHUNK).flip();
    private final FrameDecoder decoder;
    private byte[] pending;
    private IpcException inboundEnd;

    /**
     * @param readFd a non-blocking FIFO read descriptor, or -1 for a send-only endpoint; owned from now on
     * @param writeFd a non-blocking FIFO write descriptor, or -1 for a receive-only endpoint; owned from now on
     * @param goneReason the text of the PeerGoneException once the peer has closed
     */
    public FdChannel(String name, int readFd, int writeFd, int maxMessageSize, String goneReason) {
        this.name = Objects.requireNonNull(name, "name");
        this.maxMessageSize = Framing.checkMaxFrame(maxMessageSize);
        this.goneReason = goneReason;
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.decoder = new FrameDecoder(maxMessageSize, name);
        this.readChunk = readFd >= 0 ? new Memory(READ_CHUNK) : null;
        this.sendBuffer = writeFd >= 0 ? new Memory(Math.min(maxMessageSize + Framing.HEADER_BYTES, 64 << 10)) : null;
        int capacity = writeFd >= 0 && org.ipc4j.api.Platform.current() == org.ipc4j.api.Platform.LINUX
                ? LinuxLibc.libc().fcntl(writeFd, LinuxLibc.F_GETPIPE_SZ) : -1;
        this.pipeCapacity = capacity > 0 ? capacity : 16 << 10;
    }

    // ------------------------------------------------------------------ receiving

    @Override
    public int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
        return receive(destination, Deadline.forever(), true);
    }

    @Override
    public int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        return receive(destination, Deadline.after(timeout), true);
    }

    @Override
    public int tryReceive(ByteBuffer destination) throws IpcException {
        try {
            return receive(destination, Deadline.after(Duration.ZERO), false);
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("tryReceive never waits", e);
        }
    }

    private int receive(ByteBuffer destination, Deadline deadline, boolean wait) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(destination, "destination");
        ensureOpen();
        if (readChunk == null) {
            throw new UnsupportedOperationException(name + " is send-only");
        }
        if (!lock(receiveLock, deadline, wait)) {
            return NO_MESSAGE;
        }
        try {
            int fd = enter(false);
            try {
                while (true) {
                    ensureOpen();
                    if (pending == null && unread.hasRemaining()) {
                        ByteBuffer frame = decoder.next(unread);
                        if (frame != null) {
                            pending = new byte[frame.remaining()];
                            frame.get(pending);
                        }
                    }
                    if (pending != null) {
                        if (pending.length > destination.remaining()) {
                            throw new BufferTooSmallException(pending.length, destination.remaining());
                        }
                        int length = pending.length;
                        destination.put(pending);
                        pending = null;
                        return length;
                    }
                    if (inboundEnd != null) {
                        throw inboundEnd instanceof MalformedFrameException
                                ? new MalformedFrameException(inboundEnd.getMessage())
                                : new PeerGoneException(inboundEnd.getMessage(), inboundEnd);
                    }
                    long n = LinuxLibc.libc().read(fd, readChunk, READ_CHUNK);
                    if (n > 0) {
                        unread.clear();
                        readChunk.read(0, unread.array(), 0, (int) n);
                        unread.limit((int) n);
                        continue;
                    }
                    if (n == 0) {
                        inboundEnd = decoder.inFrame()
                                ? new PeerGoneException(goneReason + " in the middle of a frame (" + decoder.bufferedBytes()
                                        + " bytes of it arrived); the partial frame is discarded")
                                : new PeerGoneException(goneReason);
                        continue;
                    }
                    int errno = Native.getLastError();
                    if (errno == Errno.EINTR) {
                        continue;
                    }
                    if (errno != Errno.EAGAIN) {
                        inboundEnd = new PeerGoneException(Errno.message("read", name, errno, null));
                        continue;
                    }
                    if (!wait || deadline.hasPassed()) {
                        return NO_MESSAGE;
                    }
                    checkInterrupt("receiving");
                    waitFor(fd, LinuxLibc.POLLIN, deadline);
                }
            } catch (MalformedFrameException e) {
                inboundEnd = e;
                throw e;
            } finally {
                exit();
            }
        } finally {
            receiveLock.unlock();
        }
    }

    // ------------------------------------------------------------------ sending

    @Override
    public void send(ByteBuffer message) throws IpcException, InterruptedIOException {
        send(message, Deadline.forever(), true);
    }

    @Override
    public boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        return send(message, Deadline.after(timeout), true);
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IpcException {
        try {
            return send(message, Deadline.after(Duration.ZERO), false);
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("trySend never waits", e);
        }
    }

    private boolean send(ByteBuffer message, Deadline deadline, boolean wait) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(message, "message");
        Framing.checkOutgoing(message, maxMessageSize, name);
        ensureOpen();
        if (sendBuffer == null) {
            throw new UnsupportedOperationException(name + " is receive-only");
        }
        if (!lock(sendLock, deadline, wait)) {
            return false;
        }
        try {
            int fd = enter(true);
            try {
                if (writeFailure != null) {
                    throw new PeerGoneException(writeFailure.getMessage(), writeFailure);
                }
                int length = message.remaining();
                long total = (long) length + Framing.HEADER_BYTES;
                if (!wait && total > PIPE_BUF && (total > pipeCapacity || queuedBytes(fd) != 0)) {
                    return false;
                }
                if (sendBuffer.size() < total) {
                    sendBuffer.close();
                    sendBuffer = new Memory(total);
                }
                sendBuffer.setByte(0, (byte) (length >>> 24));
                sendBuffer.setByte(1, (byte) (length >>> 16));
                sendBuffer.setByte(2, (byte) (length >>> 8));
                sendBuffer.setByte(3, (byte) length);
                if (message.hasArray()) {
                    sendBuffer.write(4, message.array(), message.arrayOffset() + message.position(), length);
                } else {
                    byte[] copy = new byte[length];
                    message.duplicate().get(copy);
                    sendBuffer.write(4, copy, 0, length);
                }
                long written = 0;
                while (written < total) {
                    if (!open.get()) {
                        throw new EndpointClosedException(name);
                    }
                    long n = LinuxLibc.libc().write(fd, sendBuffer.share(written), total - written);
                    if (n > 0) {
                        written += n;
                        continue;
                    }
                    int errno = Native.getLastError();
                    if (errno == Errno.EINTR) {
                        continue;
                    }
                    if (errno == Errno.EPIPE) {
                        writeFailure = new PeerGoneException(goneReason + " (writing: EPIPE, nobody reads any more)");
                        throw new PeerGoneException(writeFailure.getMessage(), writeFailure);
                    }
                    if (errno != Errno.EAGAIN) {
                        throw Errno.exception("write", name, errno, null);
                    }
                    if (written == 0) {
                        if (!wait || deadline.hasPassed()) {
                            return false;
                        }
                        checkInterrupt("sending");
                        waitFor(fd, LinuxLibc.POLLOUT, deadline);
                    } else {
                        // inside a frame: finish it whatever the deadline, or the stream would be corrupt
                        waitFor(fd, LinuxLibc.POLLOUT, Deadline.forever());
                    }
                }
                message.position(message.limit());
                return true;
            } finally {
                exit();
            }
        } finally {
            sendLock.unlock();
        }
    }

    private static int queuedBytes(int fd) {
        IntByReference count = new IntByReference();
        return LinuxLibc.libc().ioctl(fd, LinuxLibc.FIONREAD, count) == 0 ? count.getValue() : -1;
    }

    // ------------------------------------------------------------------ waiting and lifetime

    private boolean lock(ReentrantLock lock, Deadline deadline, boolean wait) throws InterruptedIOException {
        try {
            if (!wait) {
                return lock.tryLock();
            }
            if (deadline.isForever()) {
                lock.lockInterruptibly();
                return true;
            }
            return lock.tryLock(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for another thread using " + name);
        }
    }

    private void waitFor(int fd, short events, Deadline deadline) throws IpcException {
        long left = deadline.remainingNanos() / 1_000_000;
        int millis = (int) Math.max(1, Math.min(SLICE_MILLIS, left));
        try {
            FdInputStream.poll(fd, events, millis);
        } catch (IOException e) {
            throw new IpcException(name + ": " + e.getMessage(), e);
        }
    }

    private void checkInterrupt(String what) throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while " + what + " on " + name);
        }
    }

    /** Registers a thread inside an operation and returns the descriptor it may use until {@link #exit()}. */
    private int enter(boolean write) throws EndpointClosedException {
        synchronized (fdLock) {
            ensureOpen();
            users++;
            return write ? writeFd : readFd;
        }
    }

    private void exit() {
        synchronized (fdLock) {
            users--;
            if (!open.get() && users == 0) {
                closeFds();
            }
        }
    }

    private void closeFds() {
        if (readFd >= 0) {
            LinuxLibc.libc().close(readFd);
            readFd = -1;
        }
        if (writeFd >= 0) {
            LinuxLibc.libc().close(writeFd);
            writeFd = -1;
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

    public String name() {
        return name;
    }

    /**
     * Closes both descriptors (the peer's reader sees end of stream after everything sent). Threads waiting in
     * this channel wake within one poll slice with {@link EndpointClosedException}.
     */
    @Override
    public void close() {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        synchronized (fdLock) {
            if (users == 0) {
                closeFds();
            }
        }
    }

    @Override
    public String toString() {
        return "FdChannel[" + name + (open.get() ? "" : ", closed") + "]";
    }
}
