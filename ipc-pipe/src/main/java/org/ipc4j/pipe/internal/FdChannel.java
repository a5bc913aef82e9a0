package org.ipc4j.pipe.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MalformedFrameException;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.framing.FrameDecoder;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.DeadlineChannel;
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
 * the kernel performs whole or not at all ({@code EAGAIN}). A larger frame is written only once the pipe has
 * room for all of it (a conservative estimate from {@code FIONREAD} and {@code F_GETPIPE_SZ}, see
 * {@link #freePages}), so a timeout, an interrupt or a close while waiting leaves nothing sent. A pipe too
 * small for two such frames is grown ({@code F_SETPIPE_SZ}, up to {@code /proc/sys/fs/pipe-max-size} without
 * privileges). A frame larger than the largest pipe obtainable waits for an empty pipe and then commits: the
 * rest is written however long the reader takes, and an interrupt or close during that closes the channel
 * (the frame can never be completed). The same holds if another writer on the same FIFO takes the room
 * between the check and the write. {@code trySend} of a frame larger than the largest pipe throws
 * {@link MessageTooLargeException} instead of returning false forever.
 *
 * <p>The descriptors are closed by {@code close()}, or by the last thread still inside an operation, so a
 * descriptor number is never reused while a thread may still use it.
 */
public final class FdChannel extends DeadlineChannel {
    static final int SLICE_MILLIS = 50;
    private static final int PIPE_BUF = 4096;
    private static final int READ_CHUNK = 64 << 10;
    /** Pipe size assumed where it cannot be asked for (macOS pipes hold at least 16 KiB). */
    private static final long FALLBACK_PIPE_BYTES = 16 << 10;

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
    private final boolean linux;
    private final long pageSize;
    private long refusedPipeBytes = Long.MAX_VALUE;

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
        this.linux = org.ipc4j.api.Platform.current() == org.ipc4j.api.Platform.LINUX;
        int page = writeFd >= 0 ? LinuxLibc.libc().getpagesize() : 4096;
        this.pageSize = page > 0 ? page : 4096;
    }

    // ------------------------------------------------------------------ receiving

    @Override
    protected int receive(ByteBuffer destination, Deadline deadline, boolean wait) throws IpcException, InterruptedIOException {
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
    protected boolean send(ByteBuffer message, Deadline deadline, boolean wait) throws IpcException, InterruptedIOException {
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
                throwIfWriteFailed();
                int length = message.remaining();
                long total = (long) length + Framing.HEADER_BYTES;
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
                boolean sent = total <= PIPE_BUF ? sendAtomic(fd, total, deadline, wait) : sendLarge(fd, total, deadline, wait);
                if (sent) {
                    message.position(message.limit());
                }
                return sent;
            } finally {
                exit();
            }
        } finally {
            sendLock.unlock();
        }
    }

    /** A frame of at most PIPE_BUF bytes: the kernel writes it whole or refuses it ({@code EAGAIN}). */
    private boolean sendAtomic(int fd, long total, Deadline deadline, boolean wait) throws IpcException, InterruptedIOException {
        while (true) {
            ensureOpen();
            long n = LinuxLibc.libc().write(fd, sendBuffer, total);
            if (n == total) {
                return true;
            }
            if (n > 0) {
                // not expected from a pipe for <= PIPE_BUF bytes, but if it happens the frame must be completed
                finishFrame(fd, n, total);
                return true;
            }
            int errno = Native.getLastError();
            if (errno == Errno.EINTR) {
                continue;
            }
            throwWriteError(errno);
            if (!wait || deadline.hasPassed()) {
                return false;
            }
            checkInterrupt("sending");
            waitFor(fd, LinuxLibc.POLLOUT, deadline);
        }
    }

    /**
     * A frame larger than PIPE_BUF. Nothing is written until the pipe has room for the whole frame (or, for a
     * frame larger than the largest pipe obtainable, until the pipe is empty), so a timeout, an interrupt or a
     * close while waiting leaves nothing sent. Then one non-blocking write puts the frame in the pipe.
     */
    private boolean sendLarge(int fd, long total, Deadline deadline, boolean wait) throws IpcException, InterruptedIOException {
        long needPages = (total + pageSize - 1) / pageSize;
        long capacityPages = capacityPages(fd, needPages);
        boolean fits = needPages <= capacityPages;
        if (!fits && !wait) {
            throw new MessageTooLargeException(name + ": trySend never writes part of a frame, and this one is larger"
                    + " than the largest pipe this process may have (" + capacityPages * pageSize
                    + " bytes, see /proc/sys/fs/pipe-max-size); use send(), which waits for an empty pipe",
                    total - Framing.HEADER_BYTES, capacityPages * pageSize - Framing.HEADER_BYTES);
        }
        long backoffNanos = 20_000;
        while (true) {
            ensureOpen();
            throwIfWriteFailed();
            long queued = queuedBytes(fd);
            capacityPages = pipePages(fd);
            boolean room = fits ? freePages(queued, capacityPages, pageSize) >= needPages : queued == 0;
            if (room) {
                long n = LinuxLibc.libc().write(fd, sendBuffer, total);
                if (n == total) {
                    return true;
                }
                if (n > 0) {
                    // another writer on the same FIFO took room between the check and the write, or the frame
                    // is larger than any pipe allowed: the frame has started and must be completed
                    finishFrame(fd, n, total);
                    return true;
                }
                int errno = Native.getLastError();
                if (errno == Errno.EINTR) {
                    continue;
                }
                throwWriteError(errno);
                // EAGAIN: another writer filled the pipe first; nothing of ours was written, so wait again
            }
            if (!wait || deadline.hasPassed()) {
                return false;
            }
            checkInterrupt("sending");
            int ready = readyNow(fd, LinuxLibc.POLLOUT);
            if ((ready & LinuxLibc.POLLERR) != 0) {
                throwWriteError(Errno.EPIPE); // no reader any more: the pipe will never drain
            }
            if ((ready & LinuxLibc.POLLOUT) != 0) {
                // some room, not enough: poll would return at once, so sleep briefly while the reader drains
                long left = deadline.remainingNanos();
                LockSupport.parkNanos(Math.max(1, Math.min(backoffNanos, left)));
                backoffNanos = Math.min(backoffNanos * 2, 1_000_000);
            } else {
                waitFor(fd, LinuxLibc.POLLOUT, deadline);
            }
        }
    }

    /**
     * Writes the rest of a frame whose first part is already in the pipe. The deadline no longer applies (a half
     * frame would corrupt the stream), but an interrupt or a close still ends the wait: the frame can then never
     * be completed, so the channel is closed and the peer sees a truncated frame.
     */
    private void finishFrame(int fd, long written, long total) throws IpcException, InterruptedIOException {
        while (written < total) {
            long n = LinuxLibc.libc().write(fd, sendBuffer.share(written), total - written);
            if (n > 0) {
                written += n;
                continue;
            }
            int errno = Native.getLastError();
            if (errno == Errno.EINTR) {
                continue;
            }
            throwWriteError(errno);
            String cut = name + ": " + written + " of the " + total + " bytes of a frame were written when ";
            if (!open.get()) {
                writeFailure = new IpcException(cut + "the channel was closed; the peer sees a truncated frame");
                throw new EndpointClosedException(name + " (" + writeFailure.getMessage() + ")");
            }
            if (Thread.currentThread().isInterrupted()) {
                writeFailure = new IpcException(cut + "the sending thread was interrupted; the stream can no longer"
                        + " be framed, so the channel was closed");
                close();
                throw new InterruptedIOException(writeFailure.getMessage());
            }
            waitFor(fd, LinuxLibc.POLLOUT, Deadline.forever());
        }
    }

    private void throwWriteError(int errno) throws IpcException {
        if (errno == Errno.EPIPE) {
            writeFailure = new PeerGoneException(goneReason + " (writing: EPIPE, nobody reads any more)");
            throw new PeerGoneException(writeFailure.getMessage(), writeFailure);
        }
        if (errno != Errno.EAGAIN) {
            throw Errno.exception("write", name, errno, null);
        }
    }

    private void throwIfWriteFailed() throws IpcException {
        if (writeFailure instanceof PeerGoneException) {
            throw new PeerGoneException(writeFailure.getMessage(), writeFailure);
        }
        if (writeFailure != null) {
            throw new EndpointClosedException(name + " (" + writeFailure.getMessage() + ")");
        }
    }

    /**
     * A lower bound on the free pages of a pipe holding {@code queued} unread bytes. The kernel stores a pipe's
     * data in pages and a write appends to the last page only if its non-page-multiple part fits there, so a
     * page can be far from full; but two neighbouring pages (after the first, which the reader may have partly
     * consumed) always hold more than one page of data between them. Hence at most 2 * (queued / page) + 2
     * pages are in use. Exact byte counts (capacity minus FIONREAD) would overstate the room.
     */
    static long freePages(long queued, long capacityPages, long pageSize) {
        if (queued == 0) {
            return capacityPages;
        }
        return Math.max(0, capacityPages - (2 * (queued / pageSize) + 2));
    }

    private long pipePages(int fd) {
        if (!linux) {
            return FALLBACK_PIPE_BYTES / pageSize;
        }
        int size = LinuxLibc.libc().fcntl(fd, LinuxLibc.F_GETPIPE_SZ);
        return (size > 0 ? size : FALLBACK_PIPE_BYTES) / pageSize;
    }

    /**
     * The pipe's capacity in pages, grown first (F_SETPIPE_SZ) if it cannot hold two frames of
     * {@code needPages} plus slack, so that a frame can go in while the reader is still taking the previous
     * one. Growth is capped by /proc/sys/fs/pipe-max-size for unprivileged processes; a refused size is not
     * asked for again.
     */
    private long capacityPages(int fd, long needPages) {
        long pages = pipePages(fd);
        long want = 2 * needPages + 2;
        if (!linux || pages >= want) {
            return pages;
        }
        long target = Long.highestOneBit(want - 1) << 1;
        for (long bytes : new long[] {target * pageSize, Math.min(target * pageSize, pipeMaxSize()), needPages * pageSize}) {
            if (bytes > pages * pageSize && bytes < refusedPipeBytes && bytes <= Integer.MAX_VALUE) {
                if (LinuxLibc.libc().fcntl(fd, LinuxLibc.F_SETPIPE_SZ, (int) bytes) >= 0) {
                    return pipePages(fd);
                }
                refusedPipeBytes = bytes;
            }
        }
        return pages;
    }

    private static long pipeMaxSize() {
        try {
            return Long.parseLong(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/fs/pipe-max-size")).trim());
        } catch (IOException | RuntimeException e) {
            return 1 << 20;
        }
    }

    private long queuedBytes(int fd) throws IpcException {
        IntByReference count = new IntByReference();
        if (LinuxLibc.libc().ioctl(fd, LinuxLibc.FIONREAD, count) != 0) {
            throw Errno.exception("ioctl(FIONREAD)", name, Native.getLastError(), null);
        }
        return count.getValue();
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

    private int readyNow(int fd, short events) throws IpcException {
        try {
            return FdInputStream.revents(fd, events, 0);
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
