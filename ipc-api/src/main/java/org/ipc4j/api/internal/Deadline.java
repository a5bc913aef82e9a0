package org.ipc4j.api.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * A point in time on the monotonic clock, for waits that may be split into slices and retried. Not for
 * absolute POSIX deadlines: those need CLOCK_REALTIME, see {@link #realtimeNanos()}.
 */
public final class Deadline {
    private static final long FOREVER = Long.MAX_VALUE;
    private final long deadlineNanos;

    private Deadline(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    /** A deadline {@code timeout} from now; a negative timeout is treated as zero. */
    public static Deadline after(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long nanos = saturatedNanos(timeout);
        if (nanos == FOREVER) {
            return forever();
        }
        long now = System.nanoTime();
        long at = now + Math.max(0, nanos);
        return new Deadline(at < now ? FOREVER : at);
    }

    private static final Deadline NEVER = new Deadline(FOREVER);
    private static final Deadline PASSED = new Deadline(Long.MIN_VALUE);

    /** A deadline that has already passed: for the try forms, which never wait. */
    public static Deadline passed() {
        return PASSED;
    }

    /** A deadline that never passes. */
    public static Deadline forever() {
        return NEVER;
    }

    /** Whether this deadline never passes (a wait with it is untimed). */
    public boolean isForever() {
        return deadlineNanos == FOREVER;
    }

    /** Nanoseconds left, at least 0; {@link Long#MAX_VALUE} for a deadline that never passes. */
    public long remainingNanos() {
        if (deadlineNanos == FOREVER) {
            return FOREVER;
        }
        if (deadlineNanos == Long.MIN_VALUE) {
            return 0;
        }
        return Math.max(0, deadlineNanos - System.nanoTime());
    }

    /** Whether no time is left (always false for {@link #forever()}). */
    public boolean hasPassed() {
        return remainingNanos() == 0;
    }

    /** {@code timeout} in nanoseconds, saturating at {@link Long#MAX_VALUE} instead of overflowing. */
    public static long saturatedNanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return timeout.isNegative() ? 0 : FOREVER;
        }
    }

    /**
     * The absolute CLOCK_REALTIME time, in nanoseconds since the epoch, at which this deadline passes: what
     * {@code mq_timedreceive} and {@code sem_timedwait} take. Computed from the remaining time so that a
     * retry after EINTR keeps the original deadline.
     */
    public long realtimeNanos() {
        long remaining = remainingNanos();
        java.time.Instant now = java.time.Instant.now();
        long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return remaining > Long.MAX_VALUE - nowNanos ? Long.MAX_VALUE : nowNanos + remaining;
    }
}
