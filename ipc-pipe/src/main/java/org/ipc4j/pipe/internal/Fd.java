package org.ipc4j.pipe.internal;

import com.sun.jna.Native;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.Errno;

/**
 * One file descriptor shared by the threads of an endpoint, and {@code poll(2)} on it.
 *
 * <p>A descriptor number is reused by the kernel as soon as it is closed, so closing it while another
 * thread is in {@code poll}, {@code read} or {@code write} on it could make that thread use whatever file
 * gets the number next. Hence every operation brackets its use with {@link #enter()} and {@link #exit()},
 * and {@link #retire()} (from {@code close()}, or when the peer is known gone) only stops new operations:
 * the descriptor is closed by whichever comes last, the retiring call or the last operation leaving. The
 * operations themselves wait in {@code poll(2)} slices, so they notice a retirement within one slice.
 */
public final class Fd {
    /** The longest single wait in poll(2): how soon a close or an interrupt is noticed. */
    static final int SLICE_MILLIS = 50;
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final Object lock = new Object();
    private int fd;
    private int users;
    private boolean retired;

    /** Takes ownership of {@code fd}. */
    public Fd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        this.fd = fd;
    }

    /** The descriptor for one operation, valid until {@link #exit()}; -1 once retired (then do not call exit). */
    public int enter() {
        synchronized (lock) {
            if (retired) {
                return -1;
            }
            users++;
            return fd;
        }
    }

    /** Ends an operation begun with a successful {@link #enter()}. */
    public void exit() {
        synchronized (lock) {
            if (--users == 0 && retired) {
                closeNow();
            }
        }
    }

    /** No new operations; the descriptor is closed now, or when the last operation in progress exits. Idempotent. */
    public void retire() {
        synchronized (lock) {
            if (retired) {
                return;
            }
            retired = true;
            if (users == 0) {
                closeNow();
            }
        }
    }

    public boolean isRetired() {
        synchronized (lock) {
            return retired;
        }
    }

    private void closeNow() {
        if (fd >= 0) {
            LinuxLibc.libc().close(fd);
            fd = -1;
        }
    }

    /**
     * Waits for one of {@code events} on {@code fd} for at most one slice ({@value #SLICE_MILLIS} ms) and at most
     * until {@code deadline}; the caller checks close, interrupt and deadline again afterwards.
     */
    static void awaitSlice(int fd, short events, Deadline deadline, String name) throws IpcException {
        long left = deadline.remainingNanos() / 1_000_000;
        try {
            poll(fd, events, (int) Math.max(1, Math.min(SLICE_MILLIS, left)));
        } catch (IOException e) {
            throw new IpcException(name + ": " + e.getMessage(), e);
        }
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

    /** Waits up to {@code millis} for one of {@code events} (or an error or hang-up); true if one happened. */
    static boolean poll(int fd, short events, int millis) throws IOException {
        return (revents(fd, events, millis) & (events | LinuxLibc.POLLHUP | LinuxLibc.POLLERR)) != 0;
    }

    /** Waits up to {@code millis} for one of {@code events} and returns the revents bits (0 on timeout or EINTR). */
    static int revents(int fd, short events, int millis) throws IOException {
        int[] pollfd = {fd, LITTLE ? events : events << 16};
        int n = LinuxLibc.libc().poll(pollfd, 1, millis);
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw new IOException(Errno.message("poll", null, errno, null));
        }
        return n > 0 ? (LITTLE ? pollfd[1] >>> 16 : pollfd[1] & 0xffff) : 0;
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "Fd[" + fd + (retired ? ", retired" : "") + "]";
        }
    }
}
