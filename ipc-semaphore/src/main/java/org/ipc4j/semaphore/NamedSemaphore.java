package org.ipc4j.semaphore;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import org.ipc4j.api.Capability;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcNames;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.Sync;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.semaphore.internal.PosixSemaphore;
import org.ipc4j.semaphore.internal.SemaphoreSupport;

/**
 * A named counting semaphore shared between processes: a POSIX semaphore ({@code sem_open}), which on Linux
 * is the file {@code /dev/shm/sem.NAME}. Any process (Java or not) that opens the same name shares the
 * count. Also reachable as {@code sem:/NAME?initial=N} through {@link org.ipc4j.api.Ipc#openSync(String)}.
 *
 * <pre>{@code
 * try (NamedSemaphore slots = NamedSemaphore.openOrCreate("/slots", 4)) {
 *     slots.acquire();
 *     try { ... } finally { slots.release(); }
 * }
 * }</pre>
 *
 * <p><b>Blocking.</b> {@link #acquire()} and {@link #tryAcquire(Duration)} block; a {@link #release()} in any
 * process wakes one waiter at once. A blocked thread also wakes, within about 20 ms, when another thread
 * interrupts it ({@link InterruptedIOException}, interrupt flag kept) or closes this endpoint
 * ({@link EndpointClosedException}). {@link #tryAcquire()}, {@link #release()} and {@link #value()} never
 * block. All methods are thread-safe.
 *
 * <p><b>Ownership.</b> The caller owns the endpoint and closes it; {@link #close()} releases this process's
 * handle only (waiting, at most one wait slice, for threads still inside a native call on it). The name and
 * the count live on until {@link #unlink()} (or {@link OpenOptions#unlinkOnClose(boolean)}) and the last
 * close. Permits are not tied to a process: a process that dies after {@code acquire()} does not give its
 * permit back. Use {@link NamedMutex} for a lock that survives the death of its holder.
 *
 * <p><b>Platforms.</b> Linux (64-bit). Elsewhere every factory throws {@link UnsupportedPlatformException}
 * with the reason; {@link #capability()} tells in advance.
 */
public final class NamedSemaphore implements Sync, NamedObject {
    /** The kind of object in messages. */
    private static final String KIND = "semaphore";

    private final String name;
    private final String posixName;
    private final boolean unlinkOnClose;
    private final PosixSemaphore sem;

    private NamedSemaphore(String name, String posixName, boolean unlinkOnClose, PosixSemaphore sem) {
        this.name = name;
        this.posixName = posixName;
        this.unlinkOnClose = unlinkOnClose;
        this.sem = sem;
    }

    /**
     * Opens a semaphore by name with the given options.
     *
     * @param name an {@link IpcNames} name, with or without the leading {@code '/'}
     * @param initialValue the count of a newly created semaphore, 0 to {@link #maxValue()}; ignored when an
     *     existing semaphore is opened
     * @throws IllegalArgumentException for a bad name or an initial value out of range (the message names the
     *     limit)
     * @throws ObjectExistsException for {@link OpenOptions#create()} when the name exists
     * @throws NoSuchObjectException for {@link OpenOptions#open()} when it does not
     * @throws PermissionDeniedException when the semaphore's permissions do not allow this user
     * @throws UnsupportedPlatformException when named semaphores are not supported here
     */
    public static NamedSemaphore open(String name, long initialValue, OpenOptions options) throws IpcException {
        Objects.requireNonNull(options, "options");
        String posixName = IpcNames.posix(KIND, name);
        checkInitialValue(initialValue);
        PosixSemaphore sem = PosixSemaphore.open(posixName, KIND + " " + posixName, options.mode(),
                options.permissions(), initialValue);
        return new NamedSemaphore(name, posixName, options.unlinkOnClose(), sem);
    }

    /** Creates a new semaphore, owner-only (0600); fails with {@link ObjectExistsException} if the name exists. */
    public static NamedSemaphore create(String name, long initialValue) throws IpcException {
        return open(name, initialValue, OpenOptions.create());
    }

    /** Opens the semaphore, creating it (owner-only, with {@code initialValue}) if it does not exist. */
    public static NamedSemaphore openOrCreate(String name, long initialValue) throws IpcException {
        return open(name, initialValue, OpenOptions.openOrCreate());
    }

    /** Opens an existing semaphore; fails with {@link NoSuchObjectException} if there is none. */
    public static NamedSemaphore open(String name) throws IpcException {
        return open(name, 0, OpenOptions.open());
    }

    /**
     * Removes the name {@code name} ({@code sem_unlink}); processes that have it open keep using it.
     *
     * @return whether a name was removed ({@code false} if there was none)
     * @throws PermissionDeniedException if the name may not be removed by this user
     */
    public static boolean unlink(String name) throws IpcException {
        return PosixSemaphore.unlink(IpcNames.posix(KIND, name));
    }

    /** Whether named semaphores work in this process, and if not, why. Never throws. */
    public static Capability capability() {
        return SemaphoreSupport.capability();
    }

    /** The largest count a semaphore can hold here ({@code SEM_VALUE_MAX}; Linux: 2147483647). */
    public static long maxValue() {
        return PosixSemaphore.maxValue();
    }

    private static void checkInitialValue(long initialValue) {
        if (initialValue < 0 || initialValue > maxValue()) {
            throw new IllegalArgumentException("initial value " + initialValue + " is out of range: a semaphore"
                    + " counts from 0 to SEM_VALUE_MAX (" + maxValue() + ")");
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isOpen() {
        return sem.isOpen();
    }

    /**
     * Takes one permit, waiting as long as none is available.
     *
     * @throws EndpointClosedException if this endpoint is closed, before or during the wait
     * @throws InterruptedIOException if the thread is interrupted before or during the wait
     */
    @Override
    public void acquire() throws IpcException, InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted before waiting on " + KIND + " " + posixName);
        }
        sem.await(Deadline.forever());
    }

    /** Takes one permit if one is available now; never blocks. */
    @Override
    public boolean tryAcquire() throws IpcException {
        return sem.tryWait();
    }

    /**
     * Takes one permit, waiting at most {@code timeout} (zero or negative: do not wait).
     *
     * @return true if a permit was taken, false if the timeout elapsed first
     * @throws EndpointClosedException if this endpoint is closed, before or during the wait
     * @throws InterruptedIOException if the thread is interrupted before or during the wait
     */
    @Override
    public boolean tryAcquire(Duration timeout) throws IpcException, InterruptedIOException {
        Deadline deadline = Deadline.after(timeout);
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted before waiting on " + KIND + " " + posixName);
        }
        return sem.await(deadline);
    }

    /**
     * Adds one permit ({@code sem_post}), waking one waiter in any process. Never blocks.
     *
     * @throws LimitReachedException if the count is already {@link #maxValue()}; the count is unchanged
     */
    @Override
    public void release() throws IpcException {
        sem.post();
    }

    /** The current count ({@code sem_getvalue}); 0 while threads wait. A snapshot, stale at once. */
    public int value() throws IpcException {
        return sem.value();
    }

    /** Removes the name, like {@link #unlink(String)}; works on a closed endpoint too. Idempotent. */
    @Override
    public void unlink() throws IpcException {
        PosixSemaphore.unlink(posixName);
    }

    /**
     * Closes this process's handle and wakes threads blocked on it (they get {@link EndpointClosedException});
     * unlinks the name if opened with {@link OpenOptions#unlinkOnClose(boolean)}. Idempotent.
     */
    @Override
    public void close() throws IpcException {
        boolean wasOpen = sem.isOpen();
        try {
            sem.close();
        } finally {
            if (wasOpen && unlinkOnClose) {
                unlink();
            }
        }
    }

    @Override
    public String toString() {
        return "NamedSemaphore[" + posixName + (isOpen() ? "" : ", closed") + "]";
    }
}
