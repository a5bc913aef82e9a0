package org.ipc4j.shm;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.shm.internal.Doorbell;
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
    /**
     * How often a thread asleep on the doorbell checks, once it has waited {@link #LONG_WAIT_NANOS}: every
     * check is a timer wake-up of a thread asleep in the kernel (some 50-100 us of processor time on a
     * virtual machine, with the check), so 100 a second would cost an idle end about 1% of a core; 10 a
     * second cost about 0.1%. Nothing else needs the wake-ups: the other side rings the doorbell, a close or
     * interrupt of this end rings it too, and the deadline is the sleep's own timeout.
     */
    static final long SLEEPING_LIVENESS_INTERVAL_NANOS = 100_000_000L;
    /** After this long a wait on the doorbell checks its peer every {@link #SLEEPING_LIVENESS_INTERVAL_NANOS}. */
    static final long LONG_WAIT_NANOS = 1_000_000_000L;
    /**
     * The longest park of a waiting virtual thread. It cannot sleep on the doorbell (a native wait would hold
     * its carrier), so it parks in Java in slices of an eighth of the time it has waited, up to this: a
     * thousand idle waiting virtual threads then cost a few ten thousand unparks a second, not a million,
     * and a message is seen at most an eighth of the wait (at most this) late.
     */
    static final long VIRTUAL_SLICE_NANOS = 50_000_000L;
    static final long FOREVER = Long.MAX_VALUE;
    /** No doorbell announcement pending. A word as stored by an announcement always has bit 0 set. */
    private static final int NOT_ANNOUNCED = 0;
    /** {@link #idle}'s answer for a sleep on the doorbell that ended early (an announced word is odd). */
    private static final int WOKEN = 2;
    /** The least time between two liveness checks that a wake-up without a message brings forward. */
    private static final long WOKEN_CHECK_NANOS = 1_000_000L;
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
        Doorbell bell = ring.memory().roomBell();
        long timeoutNanos = 0;
        long start = 0;
        long lastCheck = 0;
        boolean spinning = false;
        int spins = 0;
        int announced = NOT_ANNOUNCED;
        int lastAnnounced = NOT_ANNOUNCED;
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
            if (now - lastCheck >= livenessInterval(now - start)) {
                lastCheck = now;
                ring.heartbeat();
                String why = peer.receiverGone();
                if (why != null) {
                    throw gone(end, why);
                }
            }
            spinning = wait.spinning(waited);
            announced = idle(bell, announced, lastAnnounced, wait, waited, timeoutNanos - waited, lastCheck - now);
            if (announced == WOKEN) {
                announced = NOT_ANNOUNCED;
                lastCheck = checkSoon(lastCheck);
            } else if (announced != NOT_ANNOUNCED) {
                lastAnnounced = announced;
            }
        }
    }

    static ByteBuffer receive(Waiter end, PeerWatch peer, RingReader ring, WaitStrategy wait, long unblockNanos,
            ByteBuffer destination, Deadline deadline, boolean mayWait) throws IpcException, InterruptedIOException {
        Doorbell bell = ring.memory().dataBell();
        long timeoutNanos = 0;
        long start = 0;
        long lastCheck = 0;
        boolean spinning = false;
        int spins = 0;
        int announced = NOT_ANNOUNCED;
        int lastAnnounced = NOT_ANNOUNCED;
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
                check = now - lastCheck >= livenessInterval(now - start);
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
            announced = idle(bell, announced, lastAnnounced, wait, waited, timeoutNanos - waited, lastCheck - now);
            if (announced == WOKEN) {
                announced = NOT_ANNOUNCED;
                lastCheck = checkSoon(lastCheck);
            } else if (announced != NOT_ANNOUNCED) {
                lastAnnounced = announced;
            }
        }
    }

    /**
     * One wait of a loop that found no message (or no room). Past the strategy's spin and yield phases, on a
     * platform thread of a process with doorbells, in two steps over two turns of the loop: first announce
     * this waiter on the doorbell and return, so that the loop's next turn re-checks the ring, the close, the
     * interrupt and the deadline after the announcement (Dekker, see {@link Doorbell}); then, on the next
     * turn, sleep in the kernel, until rung or until the next liveness check or the deadline is due (peer
     * death is noticed by then; a close or an interrupt of this end rings the doorbell). Anywhere else the
     * strategy's park slices.
     *
     * @param lastAnnounced the word this wait announced last, or {@link #NOT_ANNOUNCED}
     * @param sinceCheck {@code lastCheck - now}: minus the time since the last liveness check
     * @return the announced doorbell word for the next turn, {@link #NOT_ANNOUNCED}, or {@link #WOKEN} after a
     *         sleep that ended early
     */
    private static int idle(Doorbell bell, int announced, int lastAnnounced, WaitStrategy wait, long waited,
            long remaining, long sinceCheck) {
        if (!wait.sleeping(waited)) {
            wait.idle(waited, remaining);
            return NOT_ANNOUNCED;
        }
        if (!Doorbell.usableByCurrentThread()) {
            if (Doorbell.onVirtualThread()) {
                long untilCheck = livenessInterval(waited) + sinceCheck;
                long slice = Math.min(VIRTUAL_SLICE_NANOS, Math.max(1_000_000L, waited / 8));
                java.util.concurrent.locks.LockSupport.parkNanos(
                        Math.max(1, Math.min(slice, Math.min(remaining, untilCheck))));
            } else {
                wait.idle(waited, remaining);
            }
            return NOT_ANNOUNCED;
        }
        if (announced == NOT_ANNOUNCED) {
            return bell.announce(lastAnnounced);
        }
        long untilCheck = livenessInterval(waited) + sinceCheck;
        return bell.sleep(announced, Math.max(1, Math.min(remaining, untilCheck))) ? WOKEN : NOT_ANNOUNCED;
    }

    /**
     * The liveness check's last time after a sleep that a ring ended: a wake-up that brings no message (or no
     * room) may be a peer's close, which rings the doorbell too, so the loop checks the peer on its next turn,
     * unless it did less than {@link #WOKEN_CHECK_NANOS} ago. A wake-up that brings a message returns before.
     */
    private static long checkSoon(long lastCheck) {
        return System.nanoTime() - lastCheck >= WOKEN_CHECK_NANOS ? lastCheck - SLEEPING_LIVENESS_INTERVAL_NANOS
                : lastCheck;
    }

    /**
     * The liveness interval for a wait that has lasted {@code waited}: {@link #LIVENESS_INTERVAL_NANOS}, or
     * for a long wait asleep on the doorbell {@link #SLEEPING_LIVENESS_INTERVAL_NANOS}.
     */
    private static long livenessInterval(long waited) {
        return waited >= LONG_WAIT_NANOS && (Doorbell.usableByCurrentThread() || Doorbell.onVirtualThread())
                ? SLEEPING_LIVENESS_INTERVAL_NANOS
                : LIVENESS_INTERVAL_NANOS;
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
