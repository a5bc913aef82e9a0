package org.ipc4j.shm;

import java.time.Duration;
import java.util.Objects;
import org.ipc4j.shm.internal.RingLayout;

/**
 * The shape of a ring (fixed when it is created) and how this process waits on it. Immutable; the
 * {@code with}-style methods return copies.
 *
 * <ul>
 *   <li>{@code capacity}: bytes of the data area, a power of two from 64 bytes to 1 GiB (default 1 MiB).
 *       Each message takes its length plus an 8-byte header, rounded up to 8.</li>
 *   <li>{@code maxMessage}: the largest message, at most {@code capacity / 2 - 8} (default
 *       {@code capacity / 8}).</li>
 *   <li>{@code variant}: one producer or many (default one).</li>
 *   <li>{@code waitStrategy}: spin, yield, park (default {@link WaitStrategy#DEFAULT}).</li>
 *   <li>{@code unblockTimeout}: how long the consumer waits on a claim whose header was never written before
 *       skipping it (default 5 s, at least 1 s). Claims of producers known to be dead are skipped without this wait.</li>
 * </ul>
 */
public final class ShmRingConfig {
    /** Single producer, single consumer; or many producers (threads or processes), single consumer. */
    public enum Variant {
        /** One producer: the cheapest claim (a plain store of the tail). */
        SINGLE_PRODUCER,
        /** Any number of producers, threads or processes: a claim is a compare-and-set on the tail. */
        MULTI_PRODUCER
    }

    /** The shortest unblock timeout accepted. */
    public static final Duration MIN_UNBLOCK_TIMEOUT = Duration.ofSeconds(1);

    private static final int UNSET = -1;

    private final long capacity;
    private final int maxMessage;
    private final Variant variant;
    private final WaitStrategy waitStrategy;
    private final Duration unblockTimeout;
    private final boolean prefault;

    private ShmRingConfig(long capacity, int maxMessage, Variant variant, WaitStrategy waitStrategy,
            Duration unblockTimeout, boolean prefault) {
        this.capacity = capacity;
        this.maxMessage = maxMessage;
        this.variant = variant;
        this.waitStrategy = waitStrategy;
        this.unblockTimeout = unblockTimeout;
        this.prefault = prefault;
    }

    /** 1 MiB, single producer, messages up to 128 KiB, pages faulted in at open. */
    public static ShmRingConfig defaults() {
        return new ShmRingConfig(1 << 20, UNSET, Variant.SINGLE_PRODUCER, WaitStrategy.DEFAULT, Duration.ofSeconds(5),
                true);
    }

    /**
     * The size of the ring's data area.
     *
     * @param bytes a power of two from 64 to 2^30
     * @return a copy of this configuration with that capacity
     * @throws IllegalArgumentException if {@code bytes} is not a power of two from 64 to 2^30
     */
    public ShmRingConfig capacity(long bytes) {
        if (bytes < RingLayout.MIN_CAPACITY || bytes > RingLayout.MAX_CAPACITY || Long.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two from " + RingLayout.MIN_CAPACITY
                    + " to " + RingLayout.MAX_CAPACITY + " bytes, got " + bytes);
        }
        return new ShmRingConfig(bytes, maxMessage, variant, waitStrategy, unblockTimeout, prefault);
    }

    /**
     * The largest message the ring accepts (default {@code capacity / 8}).
     *
     * @param bytes the maximum message length; at most {@code capacity / 2 - 8}, checked at open
     * @return a copy of this configuration with that maximum
     * @throws IllegalArgumentException if negative (the upper bound is checked against the capacity at open)
     */
    public ShmRingConfig maxMessage(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxMessage must not be negative, got " + bytes);
        }
        return new ShmRingConfig(capacity, bytes, variant, waitStrategy, unblockTimeout, prefault);
    }

    /**
     * One producer or many (default {@link Variant#SINGLE_PRODUCER}); the creator's choice is recorded in the
     * ring's header and an opener with another variant is refused.
     *
     * @param v the variant
     * @return a copy of this configuration with that variant
     * @throws NullPointerException if {@code v} is null
     */
    public ShmRingConfig variant(Variant v) {
        return new ShmRingConfig(capacity, maxMessage, Objects.requireNonNull(v, "variant"), waitStrategy,
                unblockTimeout, prefault);
    }

    /**
     * How a blocked producer or consumer waits (default {@link WaitStrategy#DEFAULT}).
     *
     * @param w the wait strategy
     * @return a copy of this configuration with that strategy
     * @throws NullPointerException if {@code w} is null
     */
    public ShmRingConfig waitStrategy(WaitStrategy w) {
        return new ShmRingConfig(capacity, maxMessage, variant, Objects.requireNonNull(w, "waitStrategy"),
                unblockTimeout, prefault);
    }

    /**
     * How long the consumer waits on a claim whose header was never written before skipping it (default 5 s).
     *
     * @param timeout at least {@link #MIN_UNBLOCK_TIMEOUT}
     * @return a copy of this configuration with that timeout
     * @throws IllegalArgumentException if shorter than {@link #MIN_UNBLOCK_TIMEOUT}: a live producer that is
     *         merely descheduled between moving the tail and writing its header would lose its claim
     */
    public ShmRingConfig unblockTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "unblockTimeout");
        if (timeout.compareTo(MIN_UNBLOCK_TIMEOUT) < 0) {
            throw new IllegalArgumentException("unblockTimeout must be at least " + MIN_UNBLOCK_TIMEOUT.toSeconds()
                    + " s, got " + timeout);
        }
        return new ShmRingConfig(capacity, maxMessage, variant, waitStrategy, timeout, prefault);
    }

    /**
     * Whether opening maps every page of the region into the process at once ({@link SharedMemory#prefault()};
     * default true). Without it, the first pass of messages through the ring takes a page fault every 4 KiB
     * (microseconds each), which dominates the tail latency until the ring has wrapped once. Turn it off
     * for very large rings that are opened often and used lightly: the open then costs no time per page.
     */
    public ShmRingConfig prefault(boolean enabled) {
        return new ShmRingConfig(capacity, maxMessage, variant, waitStrategy, unblockTimeout, enabled);
    }

    /**
     * The size of the data area.
     *
     * @return bytes, a power of two
     */
    public long capacity() {
        return capacity;
    }

    /** The configured maximum, or {@code capacity / 8} if none was set. */
    public int maxMessage() {
        return maxMessage == UNSET ? (int) Math.min(capacity / 8, RingLayout.maxMessageLimit(capacity)) : maxMessage;
    }

    /** @throws IllegalArgumentException if the maximum message does not fit the capacity */
    int checkedMaxMessage() {
        int max = maxMessage();
        if (max > RingLayout.maxMessageLimit(capacity)) {
            throw new IllegalArgumentException("maxMessage " + max + " is too large for capacity " + capacity
                    + "; at most " + RingLayout.maxMessageLimit(capacity) + " (capacity / 2 - 8)");
        }
        return max;
    }

    /**
     * One producer or many.
     *
     * @return the variant
     */
    public Variant variant() {
        return variant;
    }

    /**
     * How a blocked end waits.
     *
     * @return the wait strategy
     */
    public WaitStrategy waitStrategy() {
        return waitStrategy;
    }

    /**
     * How long the consumer waits on an unwritten claim before skipping it.
     *
     * @return the timeout, at least {@link #MIN_UNBLOCK_TIMEOUT}
     */
    public Duration unblockTimeout() {
        return unblockTimeout;
    }

    /**
     * Whether opening faults every page of the region in.
     *
     * @return {@code true} by default
     */
    public boolean prefault() {
        return prefault;
    }

    int variantCode() {
        return variant == Variant.SINGLE_PRODUCER ? RingLayout.VARIANT_SPSC : RingLayout.VARIANT_MPSC;
    }

    @Override
    public String toString() {
        return "ShmRingConfig[capacity " + capacity + ", maxMessage " + maxMessage() + ", " + variant + ", "
                + waitStrategy + ", unblockTimeout " + unblockTimeout + (prefault ? ", prefault" : "") + "]";
    }
}
