package org.ipc4j.mqueue.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Per-thread native memory for the arguments of a hot call (a {@code struct timespec}, the received priority,
 * a {@code struct mq_attr}), so that sending and receiving allocate nothing. Also remembers the base address of
 * the last few direct buffers the thread used: looking one up costs a JNI call and two objects, and a hot
 * loop passes the same buffers again and again.
 */
public final class NativeScratch {
    private static final ThreadLocal<NativeScratch> CURRENT = ThreadLocal.withInitial(NativeScratch::new);

    public static final int TIMESPEC = 0;
    public static final int PRIORITY = 16;
    public static final int ATTR = 32;
    /** A {@code struct timespec} that stays zero: a deadline in the past, for calls that must not sleep. */
    private static final int ZERO_TIMESPEC = ATTR + LinuxLibc.MQ_ATTR_SIZE;
    private static final int SIZE = ZERO_TIMESPEC + LinuxLibc.TIMESPEC_SIZE;

    /**
     * A direct buffer rather than a JNA {@code Memory}: its {@code getLong}/{@code putLong} are compiled to plain
     * loads and stores, where {@code Memory}'s are a JNI call each (three per hot call, a measurable share of
     * its cost). Kept reachable for as long as the thread lives; freed with the thread's scratch.
     */
    private final ByteBuffer memory = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());
    private final long base = Pointer.nativeValue(Native.getDirectBufferPointer(memory));
    /** A small identity cache of direct buffers and their addresses: a round trip uses two buffers, or more. */
    private final WeakReference<?>[] knownBuffers = new WeakReference<?>[ADDRESS_CACHE];
    private final long[] knownAddresses = new long[ADDRESS_CACHE];
    private int nextSlot;
    private static final int ADDRESS_CACHE = 4;
    private ByteBuffer buffer;
    private long bufferAddress;
    /**
     * The priority of the send in progress on this thread: a hidden argument of the send hook, like the
     * timespec, so that the priority forms take the same checked path as the plain ones. 0 unless a priority
     * form set it (and it resets it when done).
     */
    private int sendPriority;

    private NativeScratch() {
    }

    public static NativeScratch get() {
        return CURRENT.get();
    }

    /** Address of field {@code offset} ({@link #TIMESPEC}, {@link #PRIORITY}, {@link #ATTR}). */
    public long address(int offset) {
        return base + offset;
    }

    /** The scratch memory in native byte order; index it with the field offsets. */
    public ByteBuffer memory() {
        return memory;
    }

    /** Writes an absolute CLOCK_REALTIME time (nanoseconds since the epoch) as the timespec; returns its address. */
    public long timespec(long realtimeNanos) {
        memory.putLong(TIMESPEC, realtimeNanos / 1_000_000_000L);
        memory.putLong(TIMESPEC + 8, realtimeNanos % 1_000_000_000L);
        return base + TIMESPEC;
    }

    /** Address of a zero timespec (never written): the kernel then returns at once instead of sleeping. */
    public long zeroTimespec() {
        return base + ZERO_TIMESPEC;
    }

    /** The priority of the message last received on this thread. */
    public int priority() {
        return memory.getInt(PRIORITY);
    }

    /** Records {@code priority} as received, for a message delivered without a native call. */
    public void priority(int priority) {
        memory.putInt(PRIORITY, priority);
    }

    /** The priority the send in progress on this thread uses. */
    public int sendPriority() {
        return sendPriority;
    }

    /** Sets the priority of the next sends on this thread; set it back to 0 when done. */
    public void sendPriority(int priority) {
        sendPriority = priority;
    }

    /** The base address of a direct buffer (its index 0, not its position). */
    public long addressOf(ByteBuffer direct) {
        for (int i = 0; i < ADDRESS_CACHE; i++) {
            WeakReference<?> known = knownBuffers[i];
            if (known != null && known.get() == direct) {
                return knownAddresses[i];
            }
        }
        long address = Pointer.nativeValue(Native.getDirectBufferPointer(direct));
        int slot = nextSlot;
        nextSlot = (slot + 1) % ADDRESS_CACHE;
        knownBuffers[slot] = new WeakReference<>(direct);
        knownAddresses[slot] = address;
        return address;
    }

    /**
     * The thread's direct staging buffer, with a capacity of at least {@code size} bytes: heap buffers are
     * copied through it, since the kernel needs an address. Grows on demand and is then reused.
     */
    public ByteBuffer buffer(int size) {
        if (buffer == null || buffer.capacity() < size) {
            buffer = ByteBuffer.allocateDirect(Math.max(size, 256));
            bufferAddress = Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
        }
        return buffer;
    }

    /** The address of the buffer last returned by {@link #buffer(int)}. */
    public long bufferAddress() {
        return bufferAddress;
    }

    /** {@link #buffer(int)} then its address. */
    public long bufferAddressFor(int size) {
        buffer(size);
        return bufferAddress;
    }

    /**
     * Nanoseconds since the epoch on CLOCK_REALTIME, to millisecond precision, without allocating (unlike
     * {@link java.time.Instant#now()}). Enough for deadlines: callers measure the timeout itself on the
     * monotonic clock and only use this to tell the kernel when to wake them; a deadline up to a millisecond
     * early just costs one more short wait.
     */
    public static long realtimeNanos() {
        return System.currentTimeMillis() * 1_000_000L;
    }
}
