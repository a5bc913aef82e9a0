package org.ipc4j.shm;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.shm.internal.RingCore;

/**
 * The blocking send and receive loops shared by {@link ShmRing} and {@link ShmChannel}: try, then wait by
 * the {@link WaitStrategy}, checking close, interrupt, the deadline and (every few milliseconds) whether
 * the peer is still alive. Liveness reads {@code /proc}, so it is never done per message.
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

    /** What a waiting endpoint needs to know besides the ring. */
    interface Endpoint {
        boolean closed();

        String describe();

        /** Cheap, called per send: whether the receiving side is known to have left. */
        boolean receiverDetached(RingCore ring);

        /** Expensive, rate-limited: whether the receiving side is gone (dead or left). */
        boolean receiverGone(RingCore ring);

        /** Expensive, rate-limited: whether no producer is left that could still send. */
        boolean sendersGone(RingCore ring);

        /** For the non-blocking forms: whether the last liveness check is old enough to do another. */
        boolean dueForCheck();
    }

    private RingWaits() {
    }

    static boolean send(Endpoint endpoint, RingCore ring, WaitStrategy wait, ByteBuffer message, long timeoutNanos)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(message, "message");
        if (endpoint.closed()) {
            throw new EndpointClosedException(endpoint.describe());
        }
        int length = message.remaining();
        if (length > ring.maxMessage()) {
            throw new MessageTooLargeException(endpoint.describe(), length, ring.maxMessage());
        }
        if (endpoint.receiverDetached(ring)) {
            throw new PeerGoneException(endpoint.describe() + ": the receiving side closed");
        }
        long start = 0;
        long lastCheck = 0;
        boolean spinning = false;
        int spins = 0;
        while (true) {
            long offset = ring.tryClaim(length);
            if (offset >= 0) {
                ring.put(offset, message, length);
                if (ring.tryCommit(offset)) {
                    message.position(message.limit());
                    return true;
                }
                // The consumer skipped the claim: this end was closed while the message was being written.
                if (endpoint.closed()) {
                    throw new EndpointClosedException(endpoint.describe());
                }
                continue; // skipped for another reason: nothing was delivered, so try again
            }
            if (spinning && ++spins % SPINS_PER_CLOCK_READ != 0) {
                if (endpoint.closed()) {
                    throw new EndpointClosedException(endpoint.describe());
                }
                Thread.onSpinWait();
                continue;
            }
            long now = System.nanoTime();
            if (start == 0) {
                start = now;
                lastCheck = now;
                if (timeoutNanos == 0) {
                    if (endpoint.dueForCheck() && endpoint.receiverGone(ring)) {
                        throw new PeerGoneException(endpoint.describe() + ": the receiving process is gone");
                    }
                    return false;
                }
            }
            if (endpoint.closed()) {
                throw new EndpointClosedException(endpoint.describe());
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException(endpoint.describe() + ": interrupted while waiting for room");
            }
            long waited = now - start;
            if (waited >= timeoutNanos) {
                return false;
            }
            if (now - lastCheck >= LIVENESS_INTERVAL_NANOS) {
                lastCheck = now;
                ring.producerHeartbeat();
                if (endpoint.receiverGone(ring)) {
                    throw new PeerGoneException(endpoint.describe() + ": the receiving process is gone");
                }
            }
            spinning = wait.spinning(waited);
            wait.idle(waited, timeoutNanos - waited);
        }
    }

    static int receive(Endpoint endpoint, RingCore ring, WaitStrategy wait, long unblockNanos, ByteBuffer destination,
            long timeoutNanos) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(destination, "destination");
        if (endpoint.closed()) {
            throw new EndpointClosedException(endpoint.describe());
        }
        long start = 0;
        long lastCheck = 0;
        boolean spinning = false;
        int spins = 0;
        while (true) {
            int length = ring.poll(destination);
            if (length >= 0) {
                return length;
            }
            if (spinning && ++spins % SPINS_PER_CLOCK_READ != 0) {
                if (endpoint.closed()) {
                    throw new EndpointClosedException(endpoint.describe());
                }
                Thread.onSpinWait();
                continue;
            }
            long now = System.nanoTime();
            boolean check;
            if (start == 0) {
                start = now;
                lastCheck = now;
                check = timeoutNanos == 0 && endpoint.dueForCheck();
            } else {
                check = now - lastCheck >= LIVENESS_INTERVAL_NANOS;
            }
            if (check) {
                lastCheck = now;
                ring.consumerHeartbeat();
                if (ring.unblock(unblockNanos)) {
                    continue;
                }
                if (endpoint.sendersGone(ring)) {
                    // nobody can complete an open claim any more: skip them all, then report
                    while (ring.unblock(0)) {
                        length = ring.poll(destination);
                        if (length >= 0) {
                            return length;
                        }
                    }
                    length = ring.poll(destination);
                    if (length >= 0) {
                        return length;
                    }
                    if (!ring.waitingForClosedClaim()) {
                        throw new PeerGoneException(endpoint.describe() + ": no message queued and the sending side is gone ("
                                + ring.describeProducers() + ")");
                    }
                    // else: a producer closed with a claim open moments ago; it is skipped after a short grace
                }
            }
            if (timeoutNanos == 0) {
                return -1;
            }
            if (endpoint.closed()) {
                throw new EndpointClosedException(endpoint.describe());
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException(endpoint.describe() + ": interrupted while waiting for a message");
            }
            long waited = now - start;
            if (waited >= timeoutNanos) {
                return -1;
            }
            spinning = wait.spinning(waited);
            wait.idle(waited, timeoutNanos - waited);
        }
    }

    static long timeoutNanos(java.time.Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return Math.max(1, org.ipc4j.api.internal.Deadline.saturatedNanos(timeout));
    }
}
