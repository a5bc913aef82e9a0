package org.ipc4j.semaphore.internal;

import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.Deadline;

/**
 * The waits of virtual threads on one semaphore handle. A semaphore has no descriptor to poll, and a virtual
 * thread inside {@code sem_timedwait} would hold its carrier for the whole wait; so one platform thread per
 * handle (started while virtual threads wait, gone when none do) sleeps in {@code sem_timedwait} slices on
 * their behalf and hands each permit it takes to the longest-waiting virtual thread, which parks in Java
 * meanwhile. Idle, the thread sleeps in the kernel and costs nothing; a {@code sem_post} wakes it at once.
 *
 * <p>Nothing is lost when a virtual thread gives up (deadline, interrupt) while a permit is on its way: a
 * request is granted or cancelled by one compare-and-set, and a permit nobody took is posted back. A request
 * granted at the moment its thread gave up counts as acquired. Closing the handle ends the platform thread's
 * next slice, and it wakes every virtual waiter with {@link EndpointClosedException}.
 *
 * <p>Why not {@code sem_trywait} and a parked back-off: its cost grows with the number of waiters (each one
 * polls), and a permit posted during a back-off waits for the next poll; here one sleeping thread serves any
 * number of waiters and is woken by the post itself.
 */
final class VirtualWaiters {
    private static final int WAITING = 0;
    private static final int GRANTED = 1;
    private static final int CANCELLED = 2;
    private static final int CLOSED = 3;
    private static final int FAILED = 4;

    private static final class Request {
        final Thread thread = Thread.currentThread();
        final AtomicInteger state = new AtomicInteger(WAITING);
        volatile IpcException failure;
    }

    private final PosixSemaphore sem;
    private final String what;
    /** Not a monitor: a virtual thread blocked on a contended monitor holds its carrier on Java 21. */
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    /** Guarded by {@link #lock}. */
    private Thread thread;

    VirtualWaiters(PosixSemaphore sem, String what) {
        this.sem = sem;
        this.what = what;
    }

    /**
     * Waits, parked, for a permit that the platform thread takes for the caller, until {@code deadline}.
     *
     * @return true if a permit was taken, false if the deadline passed
     * @throws InterruptedIOException if the thread is interrupted (the interrupt flag stays set)
     * @throws EndpointClosedException if the handle is closed before or during the wait
     */
    boolean await(Deadline deadline) throws IpcException, InterruptedIOException {
        Request request = new Request();
        enqueue(request);
        try {
            while (request.state.get() == WAITING) {
                if (request.thread.isInterrupted() || !sem.isOpen()) {
                    break;
                }
                if (deadline.isForever()) {
                    LockSupport.park(this);
                } else {
                    long left = deadline.remainingNanos();
                    if (left == 0) {
                        break;
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
        } finally {
            if (request.state.compareAndSet(WAITING, CANCELLED)) {
                dequeue(request);
            }
        }
        switch (request.state.get()) {
            case GRANTED:
                return true;
            case FAILED:
                throw request.failure;
            case CLOSED:
                throw new EndpointClosedException(what);
            default:
                break;
        }
        if (request.thread.isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting on " + what);
        }
        if (!sem.isOpen()) {
            throw new EndpointClosedException(what);
        }
        return sem.tryWait(); // the deadline passed: one last look, as a platform thread's wait ends
    }

    private void enqueue(Request request) {
        lock.lock();
        try {
            queue.add(request);
            if (thread == null) {
                Thread t = new Thread(this::run, "ipc4j-sem-waiter " + sem.posixName());
                t.setDaemon(true);
                thread = t;
                t.start();
            }
        } finally {
            lock.unlock();
        }
    }

    private void dequeue(Request request) {
        lock.lock();
        try {
            queue.remove(request);
        } finally {
            lock.unlock();
        }
    }

    /** Whether a virtual thread waits; the thread ends (under the lock) when none does. */
    private boolean anyWaiting() {
        lock.lock();
        try {
            while (!queue.isEmpty() && queue.peek().state.get() != WAITING) {
                queue.poll();
            }
            if (queue.isEmpty()) {
                thread = null;
                return false;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The platform thread: a slice of {@code sem_timedwait} at a time, while virtual threads wait. */
    private void run() {
        while (anyWaiting()) {
            boolean taken;
            try {
                taken = sem.awaitSlice(PosixSemaphore.SLICE_NANOS);
            } catch (EndpointClosedException e) {
                endAll(CLOSED, null);
                return;
            } catch (IpcException e) {
                endAll(FAILED, e);
                return;
            } catch (RuntimeException | Error e) {
                endAll(FAILED, new IpcException("waiting on " + what + " failed: " + e, e));
                throw e;
            }
            if (taken) {
                handOver();
            }
        }
    }

    /** Gives the permit just taken to the longest-waiting virtual thread, or back to the semaphore. */
    private void handOver() {
        Request granted = null;
        lock.lock();
        try {
            Request r;
            while ((r = queue.poll()) != null) {
                if (r.state.compareAndSet(WAITING, GRANTED)) {
                    granted = r;
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        if (granted != null) {
            LockSupport.unpark(granted.thread);
            return;
        }
        try {
            sem.post(); // everyone gave up meanwhile: the permit goes back, for anyone in any process
        } catch (IpcException e) {
            // Closed: the permit goes with the handle, as it would for a platform thread closed after its wait.
        }
    }

    /** Ends every wait (closed, or a native failure) and stops the thread. */
    private void endAll(int state, IpcException failure) {
        lock.lock();
        try {
            Request r;
            while ((r = queue.poll()) != null) {
                r.failure = failure;
                if (r.state.compareAndSet(WAITING, state)) {
                    LockSupport.unpark(r.thread);
                }
            }
            thread = null;
        } finally {
            lock.unlock();
        }
    }
}
