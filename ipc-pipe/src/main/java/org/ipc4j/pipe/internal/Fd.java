package org.ipc4j.pipe.internal;

import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.Platform;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.posix.InUseGuard;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.Poll;

/**
 * What the pipe ends do with their raw descriptors, on ipc-api's native layer: own one behind an
 * {@link InUseGuard}, wait on it in {@code poll(2)} slices, name it as a path, close it.
 *
 * <p>A descriptor number is reused by the kernel as soon as it is closed, so closing it while another
 * thread is in {@code poll}, {@code read} or {@code write} on it could make that thread use whatever file
 * gets the number next. Hence every operation brackets its use with the guard's {@code tryEnter()} and
 * {@code exit()}, and {@code close()} on the guard (from an end's {@code close()}, or when the peer is known
 * gone) only stops new operations: the descriptor is closed by whichever comes last. The operations wait in
 * slices of {@value #SLICE_MILLIS} ms, so they notice a close within one slice.
 */
public final class Fd {
    /** The longest single wait in poll(2): how soon a close or an interrupt is noticed. */
    static final int SLICE_MILLIS = 50;

    private static final String SELF = Platform.current() == Platform.MAC ? "/dev/fd/" : "/proc/self/fd/";
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    private Fd() {
    }

    /**
     * Takes ownership of {@code fd}: the guard's release closes it, once no thread is inside a call on it.
     *
     * @param name the endpoint, as a closed endpoint's exception names it
     */
    static InUseGuard own(String name, int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        return new InUseGuard(name, () -> {
            Poll.forget(fd);
            Libc.close(fd);
        });
    }

    /**
     * Waits for one of {@code events} on {@code fd} for at most one slice ({@value #SLICE_MILLIS} ms) and at most
     * until {@code deadline}; the caller checks close, interrupt and deadline again afterwards.
     *
     * @return the {@code revents} bits, 0 if nothing happened in this slice
     */
    static int awaitSlice(int fd, short events, Deadline deadline) throws IpcException {
        return Poll.await(fd, events, deadline, SLICE_MILLIS);
    }

    /**
     * Takes an endpoint's operation lock as the form asks: not waiting for a try form, until the deadline for
     * a timed one, interruptibly in every case.
     *
     * @return false if another thread held it until the deadline
     */
    static boolean lock(ReentrantLock lock, Deadline deadline, boolean mayWait, String name) throws InterruptedIOException {
        try {
            if (!mayWait) {
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

    /**
     * The path of this process's descriptor {@code fd} ({@code /proc/self/fd/N}, {@code /dev/fd/N} on macOS),
     * which the kernel resolves to the open file itself, not to whatever a path names now.
     */
    static Path path(int fd) {
        return Path.of(SELF + fd);
    }

    /** Whether a {@code st_mode} is a FIFO's (a named pipe's or an anonymous pipe's). */
    static boolean isFifoMode(int mode) {
        return (mode & S_IFMT) == S_IFIFO;
    }

    /** The file type bits of a {@code st_mode}. */
    static int type(int mode) {
        return mode & S_IFMT;
    }

    /**
     * Closes a descriptor if it is one (>= 0); a close error is of no use here (the descriptor is gone either way).
     *
     * @return -1, for the caller's "no descriptor" field
     */
    public static int close(int fd) {
        if (fd >= 0) {
            Poll.forget(fd);
            Libc.close(fd);
        }
        return -1;
    }
}
