package org.ipc4j.api.internal.posix;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Per-thread native memory for the small arguments of native calls (a {@code struct timespec}, a
 * {@code struct pollfd}, an {@code int} out-parameter, a {@code struct rlimit}, one struct of up to
 * {@value #STRUCT_SIZE} bytes), so that a hot call allocates nothing and copies no array in and out.
 *
 * <p>The memory is a direct buffer, not a JNA {@code Memory}: its {@code getLong}/{@code putLong} compile to
 * plain loads and stores, where {@code Memory}'s are a JNI call each. Each kind of argument has its own slot,
 * so a call that needs one (an error path reading a limit, say) never overwrites another's. A thread's
 * scratch lives as long as the thread. Not for memory a call keeps after it returns.
 *
 * <p>Also caches the base addresses of the last few direct buffers a thread passed (looking one up costs a
 * JNI call and two objects, and a hot loop passes the same buffers again and again), and gives a direct
 * staging buffer through which heap buffers are copied when the kernel needs an address.
 */
public final class Scratch {
    /** A {@code struct timespec} for the caller to fill ({@link #timespec(long)}). */
    public static final int TIMESPEC = 0;
    /** A {@code struct timespec} that stays zero: a deadline in the past, for calls that must not sleep. */
    public static final int ZERO_TIMESPEC = 16;
    /** One {@code struct pollfd}. */
    public static final int POLLFD = 32;
    /** An {@code int} or {@code long} out-parameter (a priority, a count, {@code FIONREAD}'s result). */
    public static final int WORD = 40;
    /** A {@code struct rlimit}. */
    public static final int RLIMIT = 48;
    /** Room for one struct, e.g. a {@code struct mq_attr}. */
    public static final int STRUCT = 64;
    public static final int STRUCT_SIZE = 64;
    private static final int SIZE = STRUCT + STRUCT_SIZE;
    private static final int ADDRESS_CACHE = 4;

    private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(Scratch::new);

    private final ByteBuffer memory = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());
    private final long base = directAddress(memory);
    private final WeakReference<?>[] knownBuffers = new WeakReference<?>[ADDRESS_CACHE];
    private final long[] knownAddresses = new long[ADDRESS_CACHE];
    private int nextSlot;
    private ByteBuffer staging;
    private long stagingAddress;

    private Scratch() {
    }

    /** The calling thread's scratch. */
    public static Scratch get() {
        return CURRENT.get();
    }

    /** The address of slot {@code offset} ({@link #TIMESPEC}, {@link #POLLFD}, ...). */
    public long address(int offset) {
        return base + offset;
    }

    /** The memory in native byte order; index it with the slot offsets (plus the struct's field offsets). */
    public ByteBuffer memory() {
        return memory;
    }

    /** Writes an absolute CLOCK_REALTIME time (nanoseconds since the epoch) as the timespec; returns its address. */
    public long timespec(long realtimeNanos) {
        memory.putLong(TIMESPEC + Structs.TIMESPEC_TV_SEC, realtimeNanos / 1_000_000_000L);
        memory.putLong(TIMESPEC + Structs.TIMESPEC_TV_NSEC, realtimeNanos % 1_000_000_000L);
        return base + TIMESPEC;
    }

    /** The address of a zero timespec (never written): the kernel then returns at once instead of sleeping. */
    public long zeroTimespec() {
        return base + ZERO_TIMESPEC;
    }

    /** The {@code int} in the {@link #WORD} slot, as a call left it. */
    public int word() {
        return memory.getInt(WORD);
    }

    /** The base address of a direct buffer (its index 0, not its position). */
    public long addressOf(ByteBuffer direct) {
        for (int i = 0; i < ADDRESS_CACHE; i++) {
            WeakReference<?> known = knownBuffers[i];
            if (known != null && known.get() == direct) {
                return knownAddresses[i];
            }
        }
        long address = directAddress(direct);
        int slot = nextSlot;
        nextSlot = (slot + 1) % ADDRESS_CACHE;
        knownBuffers[slot] = new WeakReference<>(direct);
        knownAddresses[slot] = address;
        return address;
    }

    /**
     * The thread's direct staging buffer, with a capacity of at least {@code size} bytes: heap buffers are
     * copied through it. Grows on demand and is then reused; its address is {@link #stagingAddress()}.
     */
    public ByteBuffer staging(int size) {
        if (staging == null || staging.capacity() < size) {
            staging = ByteBuffer.allocateDirect(Math.max(size, 256));
            stagingAddress = directAddress(staging);
        }
        return staging;
    }

    /** The address of the buffer last returned by {@link #staging(int)}. */
    public long stagingAddress() {
        return stagingAddress;
    }

    /**
     * Nanoseconds since the epoch on CLOCK_REALTIME, to millisecond precision, without allocating (unlike
     * {@link java.time.Instant#now()}). Enough for a kernel deadline: callers measure the timeout itself on
     * the monotonic clock and only tell the kernel when to wake them; a millisecond early costs one more wait.
     */
    public static long realtimeNanos() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    /**
     * The base address of a direct buffer (or of a mapped file's buffer), uncached: for buffers kept for a
     * long time, whose address the caller stores once. Hot paths over changing buffers use
     * {@link #addressOf(ByteBuffer)}. The caller keeps the buffer reachable while the address is in use. Needs
     * JNA only, not the C library's bindings: callable wherever {@link NativeSupport#jnaUnavailableReason} is
     * null, on any operating system.
     */
    public static long directAddress(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }
}
