package org.ipc4j.shm;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.shm.internal.RingReader;
import org.ipc4j.shm.internal.RingWriter;

/**
 * The send and receive hooks of {@link RingProducer} and {@link RingConsumer}: try, then wait by the
 * {@link WaitStrategy}, checking close, interrupt, the deadline and (every few milliseconds) whether the
 * peer is still there. A liveness check is a system call, so it is never done per message. The argument checks
 * and position rules are {@link org.ipc4j.api.internal.SendEnd}'s and
 * {@link org.ipc4j.api.internal.ReceiveEnd}'s.
 */
final class RingWaits {
    /** How often a waiting thread checks the peer and writes its own heartbeat. */
    static final long LIVENESS_INTERVAL_NANOS = 10_000_000L;
    static final long FOREVER = Long.MAX_VALUE;
    /**
     * While spinning, the clock, interrupt and deadline are consulted only every this many attempts: reading
     * the clock costs more than a poll of the ring, and would delay noticing a message.
     */
    private static final int SPINS_PER_CLOCK_READ = 16;

    /** What a waiting end knows about itself. */
    interface Waiter {
        boolean closed();

        String describe();

        /** For the non-blocking forms: whether the last liveness check is old enough to do another. */
        boolean dueForCheck();
    }

    private RingWaits() {
    }

    /** The wait in nanoseconds a deadline leaves: 0 for the try forms, at least 1 for a timed form. */
    private static long timeoutNanos(Deadline deadline, boolean mayWait) {
        if (!mayWait) {
            return 0;
        }
        return deadline.isForever() ? FOREVER : Math.max(1, deadline.remainingNanos());
    }

    static boolean send(Waiter end, PeerWatch peer, RingWriter ring, WaitStrategy wait, ByteBuffer message,
            Deadline deadline, boolean mayWait) throws IpcException, InterruptedIOException {
        String closedPeer = peer.receiverClosed();
        if (closedPeer != null) {
            throw gone(end, closedPeer);
        }
        int length = message.remaining();
        long timeoutNanos = 0;
        long start = 0;
        long lastCheck = 0;
        boolean spinning = false;
        int spins = 0;
        while (true) {
            long offset = ring.tryClaim(length);
            if (offset >= 0) {
                ring.put(offset, message, length);
                if (ring.tryCommit(offset)) {
                    return true;
                }
                // The consumer skipped the claim: this end was closed while the message was being written.
                if (end.closed()) {
                    throw new EndpointClosedException(end.describe());
                }
                continue; // skipped for another reason: nothing was delivered, so try again
            }
            if (spinning && ++spins % SPINS_PER_CLOCK_READ != 0) {
                if (end.closed()) {
                    throw new EndpointClosedException(end.describe());
                }
                Thread.onSpinWait();
                continue;
            }
            long now = System.nanoTime();
            if (start == 0) {
                start = now;
                lastCheck = now;
                timeoutNanos = timeoutNanos(deadline, mayWait);
                if (timeoutNanos == 0) {
                    String why = end.dueForCheck() ? peer.receiverGone() : null;
                    if (why != null) {
                        throw gone(end, why);
                    }
                    return false;
                }
            }
            if (end.closed()) {
                throw new EndpointClosedException(end.describe());
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException(end.describe() + ": interrupted while waiting for room");
            }
            long waited = now - start;
            if (waited >= timeoutNanos) {
                return false;
            }
            if (now - lastCheck >= LIVENESS_INTERVAL_NANOS) {
                lastCheck = now;
                ring.heartbeat();
                String why = peer.receiverGone();
                if (why != null) {
                    throw gone(end, why);
                }
            }
            spinning = wait.spinning(waited);
            wait.idle(waited, timeoutNanos - waited);
        }
    }

    static ByteBuffer receive(Waiter end, PeerWatch peer, RingReader ring, WaitStrategy wait, long unblockNanos,
            ByteBuffer destination, Deadline deadline, boolean mayWait) throws IpcException, InterruptedIOException {
        long timeoutNanos = 0;
        long start = 0;
        long lastCheck = 0;
        boolean spinning = false;
        int spins = 0;
        while (true) {
            ByteBuffer filled = ring.poll(destination);
            if (filled != null) {
                return filled;
            }
            if (spinning && ++spins % SPINS_PER_CLOCK_READ != 0) {
                if (end.closed()) {
                    throw new EndpointClosedException(end.describe());
                }
                Thread.onSpinWait();
                continue;
            }
            long now = System.nanoTime();
            boolean check;
            if (start == 0) {
                start = now;
                lastCheck = now;
                timeoutNanos = timeoutNanos(deadline, mayWait);
                check = timeoutNanos == 0 && end.dueForCheck();
            } else {
                check = now - lastCheck >= LIVENESS_INTERVAL_NANOS;
            }
            if (check) {
                lastCheck = now;
                ring.heartbeat();
                if (ring.unblock(unblockNanos)) {
                    continue;
                }
                String why = peer.sendersGone();
                if (why != null) {
                    // nobody can complete an open claim any more: skip them all, then report
                    while (ring.unblock(0)) {
                        filled = ring.poll(destination);
                        if (filled != null) {
                            return filled;
                        }
                    }
                    filled = ring.poll(destination);
                    if (filled != null) {
                        return filled;
                    }
                    if (!ring.waitingForClosedClaim()) {
                        throw gone(end, why);
                    }
                    // else: a producer closed with a claim open moments ago; it is skipped after a short grace
                }
            }
            if (timeoutNanos == 0) {
                return null;
            }
            if (end.closed()) {
                throw new EndpointClosedException(end.describe());
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException(end.describe() + ": interrupted while waiting for a message");
            }
            long waited = now - start;
            if (waited >= timeoutNanos) {
                return null;
            }
            spinning = wait.spinning(waited);
            wait.idle(waited, timeoutNanos - waited);
        }
    }

    private static PeerGoneException gone(Waiter end, String why) {
        return new PeerGoneException(end.describe() + ": " + why);
    }

    /** A configured timeout in nanoseconds (saturating), at least 1. */
    static long timeoutNanos(java.time.Duration timeout) {
        java.util.Objects.requireNonNull(timeout, "timeout");
        return Math.max(1, Deadline.saturatedNanos(timeout));
    }
}
