package org.ipc4j.testkit;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.Sync;
import org.ipc4j.api.internal.Deadline;

/**
 * The reference {@link Sync}: endpoints of a named counting semaphore that lives in this JVM (one permit
 * when first opened). It defines {@link SyncContract}'s semantics in the plainest code and proves that the
 * contract passes a correct Sync; it is not an IPC mechanism. Waits run in slices of 10 ms, so that close
 * wakes them within one slice.
 */
public final class InMemorySync implements Sync {
    private static final Map<String, Semaphore> OBJECTS = new ConcurrentHashMap<>();
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String name;
    private final Semaphore permits;
    private volatile boolean open = true;

    private InMemorySync(String name, Semaphore permits) {
        this.name = name;
        this.permits = permits;
    }

    /** An endpoint of the object {@code name}, created with one permit if it does not exist. */
    public static InMemorySync open(String name) {
        return new InMemorySync(name, OBJECTS.computeIfAbsent(Objects.requireNonNull(name, "name"), n -> new Semaphore(1)));
    }

    /** Forgets the object {@code name}; open endpoints keep it. */
    public static void remove(String name) {
        OBJECTS.remove(name);
    }

    @Override
    public void acquire() throws IpcException, InterruptedIOException {
        take(Deadline.forever());
    }

    @Override
    public boolean tryAcquire() throws IpcException {
        checkOpen();
        return permits.tryAcquire();
    }

    @Override
    public boolean tryAcquire(Duration timeout) throws IpcException, InterruptedIOException {
        return take(Deadline.after(Objects.requireNonNull(timeout, "timeout")));
    }

    private boolean take(Deadline deadline) throws IpcException, InterruptedIOException {
        checkOpen();
        try {
            while (true) {
                if (permits.tryAcquire(Math.min(SLICE_NANOS, deadline.remainingNanos()), TimeUnit.NANOSECONDS)) {
                    if (!open) {
                        permits.release();
                        checkOpen();
                    }
                    return true;
                }
                checkOpen();
                if (deadline.hasPassed()) {
                    return false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting on " + this);
        }
    }

    @Override
    public void release() throws IpcException {
        checkOpen();
        permits.release();
    }

    private void checkOpen() throws EndpointClosedException {
        if (!open) {
            throw new EndpointClosedException(toString());
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public String toString() {
        return "in-memory sync " + name + (open ? "" : " (closed)");
    }
}
