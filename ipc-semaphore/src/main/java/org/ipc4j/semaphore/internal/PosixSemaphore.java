package org.ipc4j.semaphore.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.Errno;

/**
 * One open POSIX named semaphore ({@code sem_t *}) and the rules that keep it safe to use from many
 * threads:
 *
 * <ul>
 *   <li>Blocking waits are {@code sem_timedwait} calls of at most {@link #SLICE_NANOS}, so that between
 *   slices the thread notices {@link #close()} and {@link Thread#interrupt()}. A {@code sem_post} wakes a
 *   thread inside a slice at once; the slice only bounds how late close and interrupt are noticed.</li>
 *   <li>{@code sem_close} unmaps the {@code sem_t}: a thread still inside {@code sem_timedwait} on it would
 *   then touch freed memory. Every native call is counted in {@link #inFlight}; {@link #close()} first
 *   marks the object closed (no new calls start) and then waits until the count is zero, which takes at
 *   most one slice.</li>
 * </ul>
 */
public final class PosixSemaphore {
    /** The longest single native wait: how late a blocked thread notices close or interrupt. */
    public static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /**
     * One {@code struct timespec} (LP64: two longs) per thread, reused for every slice: native memory passed
     * as a plain address, with no array copied in and out on each call.
     */
    private static final ThreadLocal<Memory> TIMESPEC = ThreadLocal.withInitial(() -> new Memory(16));

    private final String posixName;
    private final String what;
    private final Pointer sem;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    private PosixSemaphore(String posixName, String what, Pointer sem) {
        this.posixName = posixName;
        this.what = what;
        this.sem = sem;
    }

    /**
     * Opens or creates the semaphore {@code posixName} ("/name").
     *
     * @param initialValue checked by the caller to be within 0..{@link #maxValue()}
     */
    public static PosixSemaphore open(String posixName, String what, OpenMode mode, int permissions,
            long initialValue) throws IpcException {
        SemaphoreSupport.requireSupported();
        // The semaphore is created with its final permission bits (sem_open applies the umask): no chmod race.
        Pointer p = switch (mode) {
            case OPEN -> LinuxLibc.VARIADIC.sem_open(posixName, 0);
            case CREATE -> LinuxLibc.VARIADIC.sem_open(posixName, LinuxLibc.O_CREAT | LinuxLibc.O_EXCL,
                    Integer.valueOf(permissions), Integer.valueOf((int) initialValue));
            case OPEN_OR_CREATE -> LinuxLibc.VARIADIC.sem_open(posixName, LinuxLibc.O_CREAT,
                    Integer.valueOf(permissions), Integer.valueOf((int) initialValue));
        };
        if (LinuxLibc.isSemFailed(p)) {
            throw openFailure(posixName, mode, Native.getLastError());
        }
        return new PosixSemaphore(posixName, what, p);
    }

    private static IpcException openFailure(String name, OpenMode mode, int errno) {
        String message = Errno.message("sem_open", name, errno, null);
        return switch (errno) {
            case Errno.EEXIST -> new ObjectExistsException(message + "; a semaphore of that name exists (mode " + mode + ")");
            case Errno.ENOENT -> new NoSuchObjectException(message + "; no semaphore of that name (mode " + mode + ")");
            case Errno.EACCES, Errno.EPERM -> new PermissionDeniedException(message
                    + "; the semaphore's permissions do not allow this user to open it");
            case Errno.EMFILE -> new LimitReachedException(message + "; raise the open-file limit (ulimit -n)",
                    "RLIMIT_NOFILE", -1);
            case Errno.ENFILE -> new LimitReachedException(message + "; raise /proc/sys/fs/file-max",
                    "/proc/sys/fs/file-max", -1);
            default -> Errno.exception("sem_open", name, errno, null);
        };
    }

    /** Removes the name; returns false if there was none. */
    public static boolean unlink(String posixName) throws IpcException {
        SemaphoreSupport.requireSupported();
        if (LinuxLibc.sem_unlink(posixName) == 0) {
            return true;
        }
        int errno = Native.getLastError();
        if (errno == Errno.ENOENT) {
            return false;
        }
        String message = Errno.message("sem_unlink", posixName, errno, null);
        if (errno == Errno.EACCES || errno == Errno.EPERM) {
            throw new PermissionDeniedException(message);
        }
        throw Errno.exception("sem_unlink", posixName, errno, null);
    }

    /** SEM_VALUE_MAX of this platform. */
    public static long maxValue() {
        return LinuxLibc.SEM_VALUE_MAX;
    }

    public String posixName() {
        return posixName;
    }

    public boolean isOpen() {
        return !closed;
    }

    private void enter() throws EndpointClosedException {
        inFlight.incrementAndGet();
        if (closed) {
            inFlight.decrementAndGet();
            throw new EndpointClosedException(what);
        }
    }

    private void exit() {
        inFlight.decrementAndGet();
    }

    /** sem_post; EOVERFLOW becomes {@link LimitReachedException}. */
    public void post() throws IpcException {
        enter();
        int rc;
        int errno = 0;
        try {
            rc = LinuxLibc.sem_post(sem);
            if (rc != 0) {
                errno = Native.getLastError();
            }
        } finally {
            exit();
        }
        if (rc != 0) {
            if (errno == Errno.EOVERFLOW) {
                throw new LimitReachedException(Errno.message("sem_post", posixName, errno,
                        "the value is already SEM_VALUE_MAX (" + maxValue() + "), the most a semaphore can count"),
                        "SEM_VALUE_MAX", maxValue());
            }
            throw Errno.exception("sem_post", posixName, errno, null);
        }
    }

    /** sem_trywait: true if a permit was taken. */
    public boolean tryWait() throws IpcException {
        enter();
        try {
            while (true) {
                if (LinuxLibc.sem_trywait(sem) == 0) {
                    return true;
                }
                int errno = Native.getLastError();
                if (errno == Errno.EAGAIN) {
                    return false;
                }
                if (errno != Errno.EINTR) {
                    throw Errno.exception("sem_trywait", posixName, errno, null);
                }
            }
        } finally {
            exit();
        }
    }

    /**
     * Waits for a permit until {@code deadline}, in slices; checks close and interrupt between slices.
     *
     * @return true if a permit was taken, false if the deadline passed
     * @throws InterruptedIOException if the thread is interrupted (the interrupt flag stays set)
     * @throws EndpointClosedException if closed before or during the wait
     */
    public boolean await(Deadline deadline) throws IpcException, InterruptedIOException {
        Memory abstime = TIMESPEC.get();
        while (true) {
            checkInterrupt();
            long remaining = deadline.remainingNanos();
            if (remaining == 0) {
                return tryWait();
            }
            long slice = Math.min(remaining, SLICE_NANOS);
            long at = Deadline.after(Duration.ofNanos(slice)).realtimeNanos();
            abstime.setLong(0, at / NANOS_PER_SECOND);
            abstime.setLong(8, at % NANOS_PER_SECOND);
            enter();
            int rc;
            int errno = 0;
            try {
                // sem_timedwait first tries to take a permit without sleeping, like sem_trywait.
                rc = LinuxLibc.sem_timedwait(sem, abstime);
                if (rc != 0) {
                    errno = Native.getLastError();
                }
            } finally {
                exit();
            }
            if (rc == 0) {
                return true;
            }
            // ETIMEDOUT ends a slice; EINTR (a signal) retries with the time that remains.
            if (errno != Errno.ETIMEDOUT && errno != Errno.EINTR) {
                throw Errno.exception("sem_timedwait", posixName, errno, null);
            }
            if (closed) {
                throw new EndpointClosedException(what);
            }
        }
    }

    private void checkInterrupt() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting on " + what);
        }
    }

    /** sem_getvalue: the current count (0 when threads wait; Linux never reports a negative count). */
    public int value() throws IpcException {
        enter();
        try {
            int[] v = new int[1];
            if (LinuxLibc.sem_getvalue(sem, v) != 0) {
                throw Errno.exception("sem_getvalue", posixName, Native.getLastError(), null);
            }
            return v[0];
        } finally {
            exit();
        }
    }

    /**
     * Closes this process's handle: no new call starts, threads between slices leave with
     * {@link EndpointClosedException}, and sem_close runs once no thread is inside a native call on the
     * handle (at most one slice later). Idempotent.
     */
    public void close() throws IpcException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        while (inFlight.get() != 0) {
            LockSupport.parkNanos(50_000);
        }
        if (LinuxLibc.sem_close(sem) != 0) {
            throw Errno.exception("sem_close", posixName, Native.getLastError(), null);
        }
    }
}
