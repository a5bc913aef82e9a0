package org.ipc4j.semaphore;

import org.ipc4j.api.internal.LazyLog;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcNames;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.Sync;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.posix.ByteLocks;
import org.ipc4j.semaphore.internal.OwnerRecord;
import org.ipc4j.semaphore.internal.OwnerToken;
import org.ipc4j.semaphore.internal.PosixSemaphore;
import org.ipc4j.semaphore.internal.SemaphoreSupport;

/**
 * A mutual-exclusion lock shared between processes that knows its owner, so that the death of a holder
 * (a crash, {@code kill -9}) does not leave everyone waiting forever: the next acquirer takes the lock over
 * and is told, like a POSIX robust mutex's {@code EOWNERDEAD}, through {@link #ownerDied()}.
 *
 * <pre>{@code
 * try (NamedMutex lock = NamedMutex.openOrCreate("/orders-lock")) {
 *     lock.acquire();
 *     try {
 *         if (lock.ownerDied()) {
 *             repairSharedState();  // the previous holder died inside its critical section
 *         }
 *         updateSharedState();
 *     } finally {
 *         lock.release();
 *     }
 * }
 * }</pre>
 *
 * <p><b>How.</b> The lock is a kernel lock: an open-file-description write lock ({@code fcntl F_OFD_SETLK})
 * on one byte of a small owner record ({@code /dev/shm/mutex.NAME}, mode 0600 unless told otherwise). The
 * kernel grants it to one endpoint at a time and drops it when the holder's process dies, whatever its PID
 * namespace. Beside it the record keeps the holder's pid and start time, written after taking the lock and
 * cleared before letting it go: a taker that finds them still there knows its predecessor died holding the
 * lock, and holds it with {@link #ownerDied()} true. Waiters sleep on a named semaphore ({@code mutex.NAME})
 * used as a door bell: a releaser that sees waiters posts it, which wakes one waiter at once; between waits
 * of at most 20 ms every waiter tries the lock again, so a dead owner is noticed within one wait slice.
 *
 * <p><b>Ownership.</b> The lock belongs to a process, taken and released through one endpoint; it is not
 * reentrant (a thread that acquires it twice gets {@link IllegalStateException}); another thread of the
 * same process using the same endpoint waits like any other process; two endpoints of one process exclude
 * each other like two processes. Processes may be in different PID namespaces (containers sharing
 * {@code /dev/shm}); pids are only reported. If a thread ends without releasing, the lock stays held until
 * the process ends. {@link #close()} releases the lock if this endpoint holds it, wakes this endpoint's waiters
 * ({@link EndpointClosedException}) and does not remove the name; {@link #unlink()} does.
 *
 * <p><b>Blocking.</b> {@link #acquire()} and {@link #tryAcquire(Duration)} block and are interruptible
 * ({@link InterruptedIOException}, interrupt flag kept); {@link #tryAcquire()} and {@link #release()}
 * never block. Thread-safe. Linux only; elsewhere the factories throw {@link UnsupportedPlatformException}.
 */
public final class NamedMutex implements Sync, NamedObject {
    private static final LazyLog LOG = new LazyLog(NamedMutex.class);
    private static final String KIND = "mutex";
    private static final Path DIRECTORY = Path.of("/dev/shm");

    private final String name;
    private final String bare;
    private final boolean unlinkOnClose;
    private final OwnerRecord record;
    private final PosixSemaphore doorbell;
    /** This endpoint's kernel lock on the record; holding {@link OwnerRecord#LOCK_BYTE} is holding the mutex. */
    private final ByteLocks locks;
    private final long token = OwnerToken.self();
    private final Object state = new Object();
    /** The thread that holds the lock through this endpoint, or null; guarded by {@link #state}. */
    private Thread holder;
    private boolean holderTookOverDeadOwner;
    private long deadOwnerPid;
    private volatile boolean closed;

    private NamedMutex(String name, String bare, boolean unlinkOnClose, OwnerRecord record, ByteLocks locks,
            PosixSemaphore doorbell) {
        this.name = name;
        this.locks = locks;
        this.bare = bare;
        this.unlinkOnClose = unlinkOnClose;
        this.record = record;
        this.doorbell = doorbell;
    }

    /**
     * Opens a mutex by name.
     *
     * @throws IllegalArgumentException for a bad name
     * @throws ObjectExistsException for {@link OpenOptions#create()} when the name exists
     * @throws NoSuchObjectException for {@link OpenOptions#open()} when it does not
     * @throws PermissionDeniedException when its permissions do not allow this user
     * @throws UnsupportedPlatformException when not supported here
     */
    public static NamedMutex open(String name, OpenOptions options) throws IpcException {
        Objects.requireNonNull(options, "options");
        String bare = IpcNames.validate(KIND, name);
        SemaphoreSupport.requireSupported();
        OwnerRecord record = OwnerRecord.open(recordPath(bare), options.mode(), options.permissions());
        ByteLocks locks;
        try {
            locks = ByteLocks.open(record.path(), record.fileKey(), KIND + " " + name);
        } catch (IpcException | RuntimeException e) {
            if (options.mode() == OpenMode.CREATE) {
                OwnerRecord.delete(record.path());
            }
            throw e;
        }
        PosixSemaphore doorbell;
        try {
            // Always O_CREAT: the record decides whether the mutex exists; the door bell of a mutex whose
            // creator is still opening it, or that a crash left behind, is simply created or reused.
            doorbell = PosixSemaphore.open(doorbellName(bare), KIND + " " + name, OpenMode.OPEN_OR_CREATE,
                    options.permissions(), 0);
        } catch (IpcException | RuntimeException e) {
            locks.close();
            if (options.mode() == OpenMode.CREATE) {
                OwnerRecord.delete(record.path());
            }
            throw e;
        }
        return new NamedMutex(name, bare, options.unlinkOnClose(), record, locks, doorbell);
    }

    /** Creates a new mutex, owner-only (0600); {@link ObjectExistsException} if the name exists. */
    public static NamedMutex create(String name) throws IpcException {
        return open(name, OpenOptions.create());
    }

    /** Opens the mutex, creating it (owner-only) if it does not exist. */
    public static NamedMutex openOrCreate(String name) throws IpcException {
        return open(name, OpenOptions.openOrCreate());
    }

    /** Opens an existing mutex; {@link NoSuchObjectException} if there is none. */
    public static NamedMutex open(String name) throws IpcException {
        return open(name, OpenOptions.open());
    }

    /**
     * Removes the mutex's names (owner record and door bell); processes that have it open keep using it.
     *
     * @return whether there was a mutex of that name
     */
    public static boolean unlink(String name) throws IpcException {
        String bare = IpcNames.validate(KIND, name);
        boolean removed = OwnerRecord.delete(recordPath(bare));
        return PosixSemaphore.unlink(doorbellName(bare)) | removed;
    }

    private static Path recordPath(String bare) {
        return DIRECTORY.resolve("mutex." + bare);
    }

    private static String doorbellName(String bare) {
        return "/mutex." + bare;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Takes the lock, waiting as long as another process (or another thread through this endpoint) holds
     * it. If its holder died holding it, takes it over; {@link #ownerDied()} then returns true.
     *
     * @throws IllegalStateException if the calling thread already holds it through this endpoint
     * @throws EndpointClosedException if this endpoint is closed before or during the wait
     * @throws InterruptedIOException if the thread is interrupted before or during the wait
     */
    @Override
    public void acquire() throws IpcException, InterruptedIOException {
        lock(Deadline.forever(), true);
    }

    /** Takes the lock if it is free or its holder is dead; never blocks. */
    @Override
    public boolean tryAcquire() throws IpcException {
        try {
            return lock(Deadline.after(Duration.ZERO), false);
        } catch (InterruptedIOException e) {
            throw new AssertionError("a non-blocking attempt does not wait", e);
        }
    }

    /**
     * Takes the lock, waiting at most {@code timeout}.
     *
     * @return true if taken (check {@link #ownerDied()}), false if the timeout elapsed first
     */
    @Override
    public boolean tryAcquire(Duration timeout) throws IpcException, InterruptedIOException {
        return lock(Deadline.after(timeout), true);
    }

    private boolean lock(Deadline deadline, boolean blocking) throws IpcException, InterruptedIOException {
        checkOpen();
        synchronized (state) {
            if (holder == Thread.currentThread()) {
                throw new IllegalStateException("mutex " + name + " is already held by this thread; it is not reentrant");
            }
        }
        if (blocking && Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted before waiting on mutex " + name);
        }
        if (attempt()) {
            return true;
        }
        if (deadline.hasPassed()) {
            return false;
        }
        // Announce the wait before the next attempt: a releaser drops the kernel lock and then reads the
        // waiter count, so either the attempt finds the lock free or the releaser sees the waiter and posts.
        record.addWaiters(1);
        try {
            while (true) {
                if (attempt()) {
                    return true;
                }
                if (deadline.hasPassed()) {
                    return false;
                }
                long slice = Math.min(deadline.remainingNanos(), PosixSemaphore.SLICE_NANOS);
                doorbell.await(Deadline.after(Duration.ofNanos(slice)));
                checkOpen();
            }
        } finally {
            record.addWaiters(-1);
        }
    }

    /**
     * One attempt: take the kernel lock if no live endpoint holds it. A token still in the owner word then
     * names a holder that died holding the lock (a clean release clears it first): the lock is taken over.
     *
     * @return whether the lock is now held through this endpoint
     */
    private boolean attempt() throws IpcException {
        synchronized (state) {
            checkOpen();
            // Another thread of this process holds it through this endpoint: wait like anyone else.
            if (holder != null || !locks.tryHold(OwnerRecord.LOCK_BYTE)) {
                return false;
            }
            long previous = record.owner();
            if (!record.casOwner(previous, token)) {
                // only a program that writes the word without the lock gets here
                locks.release(OwnerRecord.LOCK_BYTE);
                throw new IpcException("mutex " + name + ": the owner word changed while this endpoint held the"
                        + " lock (now " + OwnerToken.describe(record.owner()) + "); something writes " + record.path()
                        + " without taking its lock");
            }
            if (previous == 0) {
                granted(false, 0);
                return true;
            }
            record.countRecovery();
            granted(true, OwnerToken.pid(previous));
            LOG.get().warn("mutex {}: took over from {}, which died holding it", name, OwnerToken.describe(previous));
            return true;
        }
    }

    private void granted(boolean tookOver, long deadPid) {
        holder = Thread.currentThread();
        holderTookOverDeadOwner = tookOver;
        deadOwnerPid = deadPid;
    }

    /**
     * Releases the lock and wakes one waiter, in any process. Never blocks.
     *
     * @throws IllegalMonitorStateException if this endpoint does not hold the lock
     * @throws EndpointClosedException if this endpoint is closed (closing released the lock)
     * @throws IpcException if the owner word no longer names this endpoint's process (a program wrote it
     *     without taking the lock) or waking a waiter failed
     */
    @Override
    public void release() throws IpcException {
        synchronized (state) {
            checkOpen(); // close() released a lock this endpoint held
            if (holder == null) {
                throw new IllegalMonitorStateException("mutex " + name + " is not held through this endpoint");
            }
            unlockHeld();
        }
    }

    private void unlockHeld() throws IpcException {
        holder = null;
        holderTookOverDeadOwner = false;
        deadOwnerPid = 0;
        // clear the word before the lock goes: a token under a free lock means "died holding it"
        boolean ours = record.casOwner(token, 0);
        locks.release(OwnerRecord.LOCK_BYTE);
        if (!ours) {
            throw new IpcException("mutex " + name + ": the owner word names " + OwnerToken.describe(record.owner())
                    + ", not this process; something writes " + record.path() + " without taking its lock");
        }
        if (record.waiters() > 0) {
            doorbell.post();
        }
    }

    /**
     * Whether the lock, now held through this endpoint, was taken over from a holder that died holding it:
     * the data it protects may be half-updated and should be checked or repaired before use. Cleared by
     * {@link #release()}. Only the process that took the lock over is told.
     */
    public boolean ownerDied() {
        synchronized (state) {
            return holder != null && holderTookOverDeadOwner;
        }
    }

    /**
     * The pid of the dead holder this endpoint took the lock over from, while {@link #ownerDied()} is true: the
     * pid it had in its own PID namespace, which differs from the one seen here if that was another one.
     */
    public OptionalLong deadOwnerPid() {
        synchronized (state) {
            return holder != null && holderTookOverDeadOwner ? OptionalLong.of(deadOwnerPid) : OptionalLong.empty();
        }
    }

    /** Whether a thread holds the lock through this endpoint. */
    public boolean isHeldByThisEndpoint() {
        synchronized (state) {
            return holder != null;
        }
    }

    /**
     * The pid of the process that holds the lock now (a snapshot; the pid it has in its own PID namespace), or
     * empty if the lock is free (or its holder has taken it and not yet written its pid).
     *
     * @throws EndpointClosedException if this endpoint is closed
     */
    public OptionalLong ownerPid() throws EndpointClosedException {
        checkOpen();
        long owner = record.owner();
        return owner == 0 || !heldByAnyone() ? OptionalLong.empty() : OptionalLong.of(OwnerToken.pid(owner));
    }

    /** Whether a live endpoint holds the kernel lock; "held" if the kernel cannot be asked. */
    private boolean heldByAnyone() {
        try {
            return locks.held(OwnerRecord.LOCK_BYTE);
        } catch (IpcException e) {
            return true;
        }
    }

    /** How many times, since the mutex was created, a dead holder's lock was taken over (in any process). */
    public long recoveries() throws EndpointClosedException {
        checkOpen();
        return record.recoveries();
    }

    private void checkOpen() throws EndpointClosedException {
        if (closed) {
            throw new EndpointClosedException("mutex " + name);
        }
    }

    /** Removes the names, like {@link #unlink(String)}; works on a closed endpoint too. Idempotent. */
    @Override
    public void unlink() throws IpcException {
        unlink(bare);
    }

    /**
     * Releases the lock if this endpoint holds it, wakes this endpoint's waiters (they get
     * {@link EndpointClosedException} within a wait slice) and closes the door bell; unlinks if opened with
     * {@link OpenOptions#unlinkOnClose(boolean)}. Idempotent.
     */
    @Override
    public void close() throws IpcException {
        IpcException failure = null;
        synchronized (state) {
            if (closed) {
                return;
            }
            closed = true;
            if (holder != null) {
                try {
                    unlockHeld();
                } catch (IpcException e) {
                    failure = e;
                }
            }
        }
        locks.close();
        try {
            doorbell.close();
        } catch (IpcException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (unlinkOnClose) {
            unlink();
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "NamedMutex[" + name + (closed ? ", closed" : "") + "]";
    }
}
