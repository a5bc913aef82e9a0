package org.ipc4j.pipe.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.Platform;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.SendEnd;
import org.ipc4j.api.internal.posix.InUseGuard;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.NativeErrors;
import org.ipc4j.api.internal.posix.OsConstants;
import org.ipc4j.api.internal.posix.Poll;
import org.ipc4j.api.internal.posix.Scratch;

/**
 * The sending end of a framed pipe (a FIFO, or the pipe to a child process's standard input) written by the
 * calling thread itself: no writer thread, no queue, so the capacity is exactly the kernel pipe's. The
 * descriptor is non-blocking and waits happen in {@code poll(2)} slices of {@value Fd#SLICE_MILLIS} ms, so a
 * deadline, an interrupt or {@link #close()} from another thread ends a wait within one slice.
 *
 * <p>Writes: a frame of at most {@code PIPE_BUF} (4096) bytes is one non-blocking {@code write(2)}, which the
 * kernel performs whole or not at all ({@code EAGAIN}). A larger frame is written only once the pipe has room
 * for all of it (a conservative estimate from {@code FIONREAD} and {@code F_GETPIPE_SZ}, see
 * {@link #freePages}), so a timeout, an interrupt or a close while waiting leaves nothing sent. A pipe too
 * small for two such frames is grown ({@code F_SETPIPE_SZ}, up to {@code /proc/sys/fs/pipe-max-size} without
 * privileges). A frame larger than the largest pipe obtainable waits for an empty pipe and then commits: the
 * rest is written however long the reader takes, and an interrupt or close during that closes this end (the
 * frame can never be completed). The same holds if another writer on the same FIFO takes the room between the
 * check and the write. {@code trySend} of a frame larger than the largest pipe throws
 * {@link MessageTooLargeException} instead of returning false forever.
 *
 * <p>Once the reader is known to be gone ({@code EPIPE}, or {@link #peerGone(String)} from the end's owner,
 * which may know it earlier, e.g. from the child's exit), every send throws {@link PeerGoneException} and the
 * descriptor is released.
 */
public final class FdSendEnd extends SendEnd {
    private static final int PIPE_BUF = 4096;
    /** Pipe size assumed where it cannot be asked for (macOS pipes hold at least 16 KiB). */
    private static final long FALLBACK_PIPE_BYTES = 16 << 10;
    private static final boolean LINUX = Platform.current() == Platform.LINUX;

    private final String name;
    private final int fd;
    /** Keeps {@link #fd} open while a send is inside a call on it; closing it stops new sends. */
    private final InUseGuard guard;
    private final int maxMessageSize;
    private final Supplier<String> goneReason;
    private final long pageSize;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean open = true;
    /** Why sends can no longer succeed: a PeerGoneException, or why this end was closed under a sender. */
    private volatile IpcException failure;
    /** The frame being sent (prefix and payload), direct, so write(2) reads it in place. */
    private ByteBuffer frame;
    private long frameAddress;
    private long refusedPipeBytes = Long.MAX_VALUE;

    /**
     * @param fd a non-blocking write descriptor of a pipe or FIFO, owned from now on
     * @param goneReason says who is gone when a write finds no reader (called when that happens)
     */
    public FdSendEnd(String name, int fd, int maxMessageSize, Supplier<String> goneReason) {
        this.name = Objects.requireNonNull(name, "name");
        this.maxMessageSize = Framing.checkMaxFrame(maxMessageSize);
        this.goneReason = Objects.requireNonNull(goneReason, "goneReason");
        this.guard = Fd.own(name, fd);
        this.fd = fd;
        int page = Libc.getpagesize();
        this.pageSize = page > 0 ? page : 4096;
        frameBuffer((int) Math.min((long) maxMessageSize + Framing.HEADER_BYTES, 64 << 10));
    }

    private void frameBuffer(int capacity) {
        frame = ByteBuffer.allocateDirect(capacity);
        frameAddress = Scratch.directAddress(frame);
    }

    /**
     * The reader is known to be gone (its process exited, or its other direction ended): from now on sends throw
     * {@link PeerGoneException} with {@code reason}, and the descriptor is released. Idempotent; the first reason
     * stays.
     */
    public void peerGone(String reason) {
        synchronized (this) {
            if (failure == null) {
                failure = new PeerGoneException(reason);
            }
        }
        guard.close();
    }

    @Override
    protected boolean send(ByteBuffer message, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        if (!Fd.lock(lock, deadline, mayWait, name)) {
            return false;
        }
        try {
            throwIfUnusable();
            if (!guard.tryEnter()) {
                throwIfUnusable();
                throw closedException();
            }
            try {
                int length = message.remaining();
                int total = length + Framing.HEADER_BYTES;
                if (frame.capacity() < total) {
                    frameBuffer(total);
                }
                // absolute puts: the message's position is the skeleton's to move, and no view is allocated
                frame.putInt(0, length).put(Framing.HEADER_BYTES, message, message.position(), length);
                return total <= PIPE_BUF ? sendAtomic(fd, total, deadline, mayWait)
                        : sendLarge(fd, total, deadline, mayWait);
            } finally {
                guard.exit();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A frame of at most PIPE_BUF bytes: the kernel writes it whole or refuses it ({@code EAGAIN}). */
    private boolean sendAtomic(int descriptor, long total, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        while (true) {
            throwIfUnusable();
            long n = Libc.write(descriptor, frameAddress, total);
            if (n == total) {
                return true;
            }
            if (n > 0) {
                // not expected from a pipe for <= PIPE_BUF bytes, but if it happens the frame must be completed
                finishFrame(descriptor, n, total);
                return true;
            }
            int errno = Libc.errno();
            if (errno == Errno.EINTR) {
                continue;
            }
            throwWriteError(errno);
            if (!mayWait || deadline.hasPassed()) {
                return false;
            }
            checkInterrupt();
            Fd.awaitSlice(descriptor, OsConstants.POLLOUT, deadline);
        }
    }

    /**
     * A frame larger than PIPE_BUF. Nothing is written until the pipe has room for the whole frame (or, for a
     * frame larger than the largest pipe obtainable, until the pipe is empty), so a timeout, an interrupt or a
     * close while waiting leaves nothing sent. Then one non-blocking write puts the frame in the pipe.
     */
    private boolean sendLarge(int descriptor, long total, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        long needPages = (total + pageSize - 1) / pageSize;
        long capacityPages = capacityPages(descriptor, needPages);
        boolean fits = needPages <= capacityPages;
        if (!fits && !mayWait) {
            throw new MessageTooLargeException(name + ": trySend never writes part of a frame, and this one is larger"
                    + " than the largest pipe this process may have (" + capacityPages * pageSize
                    + " bytes, see /proc/sys/fs/pipe-max-size); use send(), which waits for an empty pipe",
                    total - Framing.HEADER_BYTES, capacityPages * pageSize - Framing.HEADER_BYTES);
        }
        long backoffNanos = 20_000;
        while (true) {
            throwIfUnusable();
            long queued = queuedBytes(descriptor);
            capacityPages = pipePages(descriptor);
            boolean room = fits ? freePages(queued, capacityPages, pageSize) >= needPages : queued == 0;
            if (room) {
                long n = Libc.write(descriptor, frameAddress, total);
                if (n == total) {
                    return true;
                }
                if (n > 0) {
                    // another writer on the same FIFO took room between the check and the write, or the frame
                    // is larger than any pipe allowed: the frame has started and must be completed
                    finishFrame(descriptor, n, total);
                    return true;
                }
                int errno = Libc.errno();
                if (errno == Errno.EINTR) {
                    continue;
                }
                throwWriteError(errno);
                // EAGAIN: another writer filled the pipe first; nothing of ours was written, so wait again
            }
            if (!mayWait || deadline.hasPassed()) {
                return false;
            }
            checkInterrupt();
            int ready = Poll.revents(descriptor, OsConstants.POLLOUT, 0);
            if ((ready & OsConstants.POLLERR) != 0) {
                throwWriteError(Errno.EPIPE); // no reader any more: the pipe will never drain
            }
            if ((ready & OsConstants.POLLOUT) != 0) {
                // some room, not enough: poll would return at once, so sleep briefly while the reader drains
                LockSupport.parkNanos(Math.max(1, Math.min(backoffNanos, deadline.remainingNanos())));
                backoffNanos = Math.min(backoffNanos * 2, 1_000_000);
            } else {
                Fd.awaitSlice(descriptor, OsConstants.POLLOUT, deadline);
            }
        }
    }

    /**
     * Writes the rest of a frame whose first part is already in the pipe. The deadline no longer applies (a half
     * frame would corrupt the stream), but an interrupt or a close still ends the wait: the frame can then never
     * be completed, so this end is closed and the reader sees a truncated frame.
     */
    private void finishFrame(int descriptor, long written, long total) throws IpcException, InterruptedIOException {
        while (written < total) {
            long n = Libc.write(descriptor, frameAddress + written, total - written);
            if (n > 0) {
                written += n;
                continue;
            }
            int errno = Libc.errno();
            if (errno == Errno.EINTR) {
                continue;
            }
            throwWriteError(errno);
            String cut = name + ": " + written + " of the " + total + " bytes of a frame were written when ";
            if (!open) {
                failure = new EndpointClosedException(name + " (" + cut + "the end was closed; the reader sees a"
                        + " truncated frame)");
                throw (EndpointClosedException) failure;
            }
            if (Thread.currentThread().isInterrupted()) {
                failure = new EndpointClosedException(name + " (" + cut + "the sending thread was interrupted; the"
                        + " stream can no longer be framed, so this end was closed)");
                close();
                throw new InterruptedIOException(failure.getMessage());
            }
            Fd.awaitSlice(descriptor, OsConstants.POLLOUT, Deadline.forever());
        }
    }

    private void throwWriteError(int errno) throws IpcException {
        if (errno == Errno.EPIPE) {
            peerGone(goneReason.get() + " (writing: EPIPE, nobody reads the pipe any more)");
            throwIfUnusable();
        }
        if (errno != Errno.EAGAIN) {
            throw NativeErrors.exception("write", name, errno);
        }
    }

    /** Closed, or the peer gone: the exception to throw. A fresh copy per call, the first as its cause. */
    private void throwIfUnusable() throws IpcException {
        IpcException f = failure;
        if (!open) {
            // closed here: that is what this end's caller learns, even if the peer went too (closing a child's
            // pipe can end the child before a blocked sender looks again)
            EndpointClosedException e = f instanceof EndpointClosedException
                    ? new EndpointClosedException(f.getMessage()) : closedException();
            if (f != null) {
                e.initCause(f);
            }
            throw e;
        }
        if (f instanceof PeerGoneException) {
            throw new PeerGoneException(f.getMessage(), f);
        }
        if (f != null) {
            EndpointClosedException e = new EndpointClosedException(f.getMessage());
            e.initCause(f);
            throw e;
        }
    }

    private void checkInterrupt() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while sending on " + name);
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

    private long pipePages(int descriptor) {
        if (!LINUX) {
            return FALLBACK_PIPE_BYTES / pageSize;
        }
        int size = Libc.fcntl(descriptor, OsConstants.F_GETPIPE_SZ);
        return (size > 0 ? size : FALLBACK_PIPE_BYTES) / pageSize;
    }

    /**
     * The pipe's capacity in pages, grown first (F_SETPIPE_SZ) if it cannot hold two frames of
     * {@code needPages} plus slack, so that a frame can go in while the reader is still taking the previous
     * one. Growth is capped by /proc/sys/fs/pipe-max-size for unprivileged processes; a refused size is not
     * asked for again.
     */
    private long capacityPages(int descriptor, long needPages) {
        long pages = pipePages(descriptor);
        long want = 2 * needPages + 2;
        if (!LINUX || pages >= want) {
            return pages;
        }
        long target = Long.highestOneBit(want - 1) << 1;
        for (long bytes : new long[] {target * pageSize, Math.min(target * pageSize, pipeMaxSize()), needPages * pageSize}) {
            if (bytes > pages * pageSize && bytes < refusedPipeBytes && bytes <= Integer.MAX_VALUE) {
                if (Libc.fcntl(descriptor, OsConstants.F_SETPIPE_SZ, (int) bytes) >= 0) {
                    return pipePages(descriptor);
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

    private long queuedBytes(int descriptor) throws IpcException {
        Scratch scratch = Scratch.get();
        if (Libc.ioctl(descriptor, OsConstants.FIONREAD, scratch.address(Scratch.WORD)) != 0) {
            throw NativeErrors.exception("ioctl(FIONREAD)", name, Libc.errno());
        }
        return scratch.word();
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
     * Closes the descriptor (at once, or when a thread still inside a send leaves it, within one poll slice): the
     * reader receives everything sent before, then end of file. Threads waiting here wake with
     * {@link EndpointClosedException}. Idempotent.
     */
    @Override
    public void close() {
        open = false;
        guard.close();
    }

    @Override
    public String toString() {
        return "FdSendEnd[" + name + (open ? "" : ", closed") + "]";
    }
}
