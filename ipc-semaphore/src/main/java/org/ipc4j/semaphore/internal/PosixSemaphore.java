package org.ipc4j.semaphore.internal;

import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.VirtualThreads;
import org.ipc4j.api.internal.posix.ErrnoHints;
import org.ipc4j.api.internal.posix.InUseGuard;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.Limit;
import org.ipc4j.api.internal.posix.NativeErrors;
import org.ipc4j.api.internal.posix.OsConstants;
import org.ipc4j.api.internal.posix.Scratch;
import org.ipc4j.api.internal.posix.SemCalls;

/**
 * One open POSIX named semaphore ({@code sem_t *}) and the rules that keep it safe to use from many
 * threads:
 *
 * <ul>
 *   <li>Blocking waits are {@code sem_timedwait} calls of at most {@link #SLICE_NANOS}, so that between
 *   slices the thread notices {@link #close()} and {@link Thread#interrupt()}. A {@code sem_post} wakes a
 *   thread inside a slice at once; the slice only bounds how late close and interrupt are noticed.</li>
 *   <li>A virtual thread never calls {@code sem_timedwait} (it would hold its carrier for the whole wait): it
 *   parks, and one platform thread per handle waits in those slices for all of them ({@link VirtualWaiters}).</li>
 *   <li>{@code sem_close} unmaps the {@code sem_t}: a thread still inside {@code sem_timedwait} on it would
 *   then touch freed memory. Every native call runs inside the handle's {@link InUseGuard}; {@link #close()}
 *   marks the handle closed (no new call starts), and {@code sem_close} runs once the last thread has left
 *   its call, at most one slice later, while {@code close()} waits for it.</li>
 * </ul>
 *
 * The calls are the shared bindings of {@link SemCalls}; their arguments live in the thread's
 * {@link Scratch}, so a wait or a post allocates nothing.
 */
public final class PosixSemaphore {
    /** The longest single native wait: how late a blocked thread notices close or interrupt. */
    public static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** How long {@link #close()} waits for threads still inside a call (they leave within one slice). */
    private static final long RELEASE_WAIT_MILLIS = 2000;

    /** What {@code sem_open}'s errors mean for a user, and what to do. */
    private static final ErrnoHints OPEN_ERRORS = ErrnoHints.none()
            .exists("a semaphore of that name exists and an exclusive create was asked; open it with"
                    + " OpenMode.OPEN or OPEN_OR_CREATE, or remove it first (NamedSemaphore.unlink)")
            .missing("no semaphore of that name exists; create it (OpenMode.CREATE or OPEN_OR_CREATE) or check"
                    + " the name")
            .denied("the semaphore's permissions do not allow this user to open it; open it as its owner, or"
                    + " have the creator use OpenOptions.permissions(0660) or perm=0660")
            .limit(Errno.ENOSPC, Limit.freeSpace(Path.of("/dev/shm"), "remove unused semaphores and regions, or"
                    + " enlarge the file system: mount -o remount,size=... /dev/shm (Docker: --shm-size)"),
                    "a named semaphore is a small file in /dev/shm, and it is full");

    private static final ErrnoHints POST_ERRORS = ErrnoHints.none()
            .limit(Errno.EOVERFLOW, Limit.fixed("SEM_VALUE_MAX", OsConstants.SEM_VALUE_MAX, "", ""),
                    "the value is already the most a semaphore can count");

    private static final ErrnoHints UNLINK_ERRORS = ErrnoHints.none()
            .denied("only the owner of the semaphore (or a privileged process) may remove its name");

    private final String posixName;
    private final String what;
    private final long sem;
    private final InUseGuard guard;
    /** The platform thread that waits for virtual threads; created on the first wait of one. */
    private volatile VirtualWaiters virtualWaiters;

    private PosixSemaphore(String posixName, String what, long sem) {
        this.posixName = posixName;
        this.what = what;
        this.sem = sem;
        this.guard = new InUseGuard(what, this::closeNative);
    }

    /**
     * Opens or creates the semaphore {@code posixName} ("/name").
     *
     * @param initialValue checked by the caller to be within 0..{@link #maxValue()}
     */
    public static PosixSemaphore open(String posixName, String what, OpenMode mode, int permissions,
            long initialValue) throws IpcException {
        SemaphoreSupport.requireSupported();
        // Created with its final permission bits (sem_open applies the umask, which can only remove bits): no
        // chmod afterwards, so no moment when the semaphore is more open than asked.
        long sem = switch (mode) {
            case OPEN -> SemCalls.sem_open(posixName, 0);
            case CREATE -> SemCalls.sem_open(posixName, OsConstants.O_CREAT | OsConstants.O_EXCL, permissions,
                    (int) initialValue);
            case OPEN_OR_CREATE -> SemCalls.sem_open(posixName, OsConstants.O_CREAT, permissions, (int) initialValue);
        };
        if (SemCalls.failed(sem)) {
            throw OPEN_ERRORS.exception("sem_open", posixName, Libc.errno());
        }
        return new PosixSemaphore(posixName, what, sem);
    }

    /** Removes the name; returns false if there was none. */
    public static boolean unlink(String posixName) throws IpcException {
        SemaphoreSupport.requireSupported();
        if (SemCalls.sem_unlink(posixName) == 0) {
            return true;
        }
        int errno = Libc.errno();
        if (errno == Errno.ENOENT) {
            return false;
        }
        throw UNLINK_ERRORS.exception("sem_unlink", posixName, errno);
    }

    /** SEM_VALUE_MAX of this platform. */
    public static long maxValue() {
        return OsConstants.SEM_VALUE_MAX;
    }

    public String posixName() {
        return posixName;
    }

    public boolean isOpen() {
        return guard.isOpen();
    }

    /** sem_post; EOVERFLOW becomes {@link LimitReachedException} naming SEM_VALUE_MAX. */
    public void post() throws IpcException {
        guard.enter();
        int rc;
        int errno = 0;
        try {
            rc = SemCalls.sem_post(sem);
            if (rc != 0) {
                errno = Libc.errno();
            }
        } finally {
            guard.exit();
        }
        if (rc != 0) {
            throw POST_ERRORS.exception("sem_post", posixName, errno);
        }
    }

    /** sem_trywait: true if a permit was taken. */
    public boolean tryWait() throws IpcException {
        guard.enter();
        try {
            while (true) {
                if (SemCalls.sem_trywait(sem) == 0) {
                    return true;
                }
                int errno = Libc.errno();
                if (errno == Errno.EAGAIN) {
                    return false;
                }
                if (errno != Errno.EINTR) {
                    throw NativeErrors.exception("sem_trywait", posixName, errno);
                }
            }
        } finally {
            guard.exit();
        }
    }

    /**
     * Waits for a permit until {@code deadline}, in slices; checks close and interrupt between slices. A
     * virtual thread parks instead while a platform thread of this handle waits for it ({@link VirtualWaiters}),
     * with the same results.
     *
     * @return true if a permit was taken, false if the deadline passed
     * @throws InterruptedIOException if the thread is interrupted (the interrupt flag stays set)
     * @throws EndpointClosedException if closed before or during the wait
     */
    public boolean await(Deadline deadline) throws IpcException, InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting on " + what);
        }
        if (deadline.remainingNanos() != 0 && VirtualThreads.isCurrent()) {
            // Inside sem_timedwait a virtual thread would hold its carrier: it parks, a platform thread waits.
            return tryWait() || virtualWaiters().await(deadline);
        }
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while waiting on " + what);
            }
            long remaining = deadline.remainingNanos();
            if (remaining == 0) {
                return tryWait();
            }
            if (awaitSlice(Math.min(remaining, SLICE_NANOS))) {
                return true;
            }
        }
    }

    /**
     * One {@code sem_timedwait} of at most {@code nanos}, retried on EINTR within the same end time.
     *
     * @return true if a permit was taken, false if the slice ended first
     * @throws EndpointClosedException if the handle is closed
     */
    boolean awaitSlice(long nanos) throws IpcException {
        Scratch scratch = Scratch.get();
        long abstime = scratch.timespec(Scratch.realtimeNanos() + nanos);
        while (true) {
            guard.enter();
            int rc;
            int errno = 0;
            try {
                // sem_timedwait first tries to take a permit without sleeping, like sem_trywait.
                rc = SemCalls.sem_timedwait(sem, abstime);
                if (rc != 0) {
                    errno = Libc.errno();
                }
            } finally {
                guard.exit();
            }
            if (rc == 0) {
                return true;
            }
            if (errno == Errno.ETIMEDOUT) {
                guard.ensureOpen();
                return false;
            }
            if (errno != Errno.EINTR) {
                throw NativeErrors.exception("sem_timedwait", posixName, errno);
            }
            guard.ensureOpen(); // a signal: wait again for what remains of the slice
        }
    }

    private VirtualWaiters virtualWaiters() {
        VirtualWaiters v = virtualWaiters;
        if (v == null) {
            synchronized (this) {
                v = virtualWaiters;
                if (v == null) {
                    v = new VirtualWaiters(this, what);
                    virtualWaiters = v;
                }
            }
        }
        return v;
    }

    /** sem_getvalue: the current count (0 when threads wait; Linux never reports a negative count). */
    public int value() throws IpcException {
        guard.enter();
        try {
            Scratch scratch = Scratch.get();
            if (SemCalls.sem_getvalue(sem, scratch.address(Scratch.WORD)) != 0) {
                throw NativeErrors.exception("sem_getvalue", posixName, Libc.errno());
            }
            return scratch.word();
        } finally {
            guard.exit();
        }
    }

    /**
     * Closes this process's handle: no new call starts, threads between slices leave with
     * {@link EndpointClosedException}, and sem_close runs once no thread is inside a native call on the
     * handle (at most one slice later; this method waits for it). Idempotent.
     *
     * @throws IpcException if sem_close failed
     */
    public void close() throws IpcException {
        if (!guard.close()) {
            return;
        }
        guard.awaitRelease(RELEASE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        IpcException failure = guard.failure();
        if (failure != null) {
            throw failure;
        }
    }

    /** The guard's release: runs once, when closed and no thread is inside a call. */
    private void closeNative() throws IpcException {
        if (SemCalls.sem_close(sem) != 0) {
            throw NativeErrors.exception("sem_close", posixName, Libc.errno());
        }
    }
}
