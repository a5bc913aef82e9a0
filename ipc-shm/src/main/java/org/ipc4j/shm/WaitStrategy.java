package org.ipc4j.shm;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.ipc4j.api.internal.Deadline;

/**
 * How a blocked ring operation waits for the other process: it spins (busy, lowest latency), then yields
 * the processor, then sleeps. Each phase is measured from the start of the wait.
 *
 * <p><b>Sleeping.</b> On Linux a platform thread sleeps in the kernel on a doorbell word of the ring (a
 * shared futex) that the other process rings when it commits a message or frees room, and only when a
 * waiter has announced itself: the waiter is woken at once, and sleeps otherwise cost nothing. A close or
 * interrupt of the waiting end rings it too; the peer is checked every 10 ms during the first second of
 * a wait and every 100 ms after that. Where the doorbell is not used (virtual threads, which must not hold
 * their carrier in the kernel; no usable futex; {@code -Dipc4j.shm.doorbell=false}) the thread parks in
 * slices growing from {@code minPark} to {@code maxPark} and notices new data, a close or a dead peer at
 * the end of a slice. See {@code docs/shm.md}, <i>Waiting</i>.
 *
 * <p>Rough costs on a typical Linux machine: a spin hand-off takes well under a microsecond, a park and
 * wake or a futex wake-up some 50 microseconds. The default spins for 10 microseconds, yields until 200
 * microseconds and then sleeps (or parks in slices of 20 microseconds up to 1 millisecond). Immutable and
 * thread-safe.
 */
public final class WaitStrategy {
    /** Spin 10 us, yield until 200 us, then sleep on the doorbell (or park from 20 us up to 1 ms per slice). */
    public static final WaitStrategy DEFAULT = new WaitStrategy(10_000, 200_000, 20_000, 1_000_000);

    private final long spinNanos;
    private final long yieldNanos;
    private final long minParkNanos;
    private final long maxParkNanos;

    private WaitStrategy(long spinNanos, long yieldNanos, long minParkNanos, long maxParkNanos) {
        this.spinNanos = spinNanos;
        this.yieldNanos = yieldNanos;
        this.minParkNanos = minParkNanos;
        this.maxParkNanos = maxParkNanos;
    }

    /**
     * Spin for {@code spin}, then yield until {@code spin + yield} has passed, then park in slices growing to
     * {@code maxPark}.
     *
     * @throws IllegalArgumentException for negative durations or a {@code maxPark} below 1 microsecond or
     *         above 100 milliseconds (longer slices would delay close and peer-death detection where the
     *         wait parks in slices)
     */
    public static WaitStrategy of(Duration spin, Duration yield, Duration maxPark) {
        long s = nanos("spin", spin);
        long y = nanos("yield", yield);
        long p = nanos("maxPark", maxPark);
        if (p < 1_000 || p > 100_000_000) {
            throw new IllegalArgumentException("maxPark must be 1us to 100ms, got " + maxPark);
        }
        return new WaitStrategy(s, s + y, Math.min(20_000, p), p);
    }

    /** Only spins, never sleeps: the lowest latency, one busy core per waiting thread. */
    public static WaitStrategy busySpin() {
        return new WaitStrategy(Long.MAX_VALUE, Long.MAX_VALUE, 1_000, 1_000);
    }

    private static long nanos(String what, Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + d);
        }
        return Deadline.saturatedNanos(d);
    }

    /** Whether a wait that has lasted {@code waited} nanoseconds is still in the busy-spin phase. */
    boolean spinning(long waited) {
        return waited < spinNanos;
    }

    /** Whether a wait that has lasted {@code waited} nanoseconds is past spinning and yielding: time to sleep. */
    boolean sleeping(long waited) {
        return waited >= yieldNanos;
    }

    /**
     * Waits once; {@code waited} is how long the operation has been waiting so far.
     * Never waits beyond {@code remaining}.
     */
    void idle(long waited, long remaining) {
        if (waited < spinNanos) {
            Thread.onSpinWait();
        } else if (waited < yieldNanos) {
            Thread.yield();
        } else {
            long slice = Math.min(maxParkNanos, Math.max(minParkNanos, (waited - yieldNanos) / 4));
            LockSupport.parkNanos(Math.min(slice, Math.max(1, remaining)));
        }
    }

    @Override
    public String toString() {
        return "WaitStrategy[spin " + spinNanos + "ns, yield until " + yieldNanos + "ns, park " + minParkNanos + "-"
                + maxParkNanos + "ns]";
    }
}
