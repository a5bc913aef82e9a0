package org.ipc4j.api.internal.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import org.ipc4j.api.internal.Errno;

/**
 * Linux futexes on shared memory: {@code FUTEX_WAIT} and {@code FUTEX_WAKE} through {@code syscall(2)}
 * (glibc has no wrapper). Without {@code FUTEX_PRIVATE_FLAG}, so a word in a {@code MAP_SHARED} mapping
 * is one futex for every process that maps the file, whatever address each maps it at.
 *
 * <p>Call only after {@link NativeSupport#isAvailable} said {@link NativeSupport.Binding#FUTEX} works:
 * loading this class binds {@code syscall} and tries both operations once on a private word, so a kernel
 * or a seccomp filter that refuses them, or an architecture whose system call number is not known here,
 * makes the binding unavailable (with the reason) instead of failing later.
 *
 * <p>A {@code FUTEX_WAIT} holds the calling thread in the kernel: a virtual thread would pin its carrier,
 * so callers use it on platform threads only.
 */
public final class Futex {
    /** {@code FUTEX_WAIT}: sleep while the word holds the expected value. */
    static final long FUTEX_WAIT = 0;
    /** {@code FUTEX_WAKE}: wake up to {@code n} sleepers of the word. */
    static final long FUTEX_WAKE = 1;
    /** {@code SYS_futex} of this architecture. */
    static final long SYS_FUTEX;
    /** {@code SYS_membarrier} of this architecture. */
    static final long SYS_MEMBARRIER;
    static final long MEMBARRIER_CMD_QUERY = 0;
    static final long MEMBARRIER_CMD_GLOBAL_EXPEDITED = 2;
    static final long MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED = 4;

    static {
        SYS_FUTEX = systemCallNumber(System.getProperty("os.arch"));
        SYS_MEMBARRIER = membarrierNumber(System.getProperty("os.arch"));
        if (SYS_FUTEX < 0) {
            throw new UnsupportedOperationException("no futex system call number is known here for os.arch "
                    + System.getProperty("os.arch") + " (known: amd64/x86_64, aarch64)");
        }
        Libraries.register(Futex.class, "syscall");
        selfTest();
    }

    private Futex() {
    }

    /** {@code SYS_futex} for a JVM {@code os.arch}, or -1 if not known. Pure, for tests. */
    static long systemCallNumber(String osArch) {
        String arch = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
        switch (arch) {
            case "amd64":
            case "x86_64":
                return 202;
            case "aarch64":
            case "arm64":
                return 98;
            default:
                return -1;
        }
    }

    /** {@code SYS_membarrier} for a JVM {@code os.arch} (x86-64 324, AArch64 283), or -1. Pure, for tests. */
    static long membarrierNumber(String osArch) {
        long futex = systemCallNumber(osArch);
        return futex == 202 ? 324 : futex == 98 ? 283 : -1;
    }

    /**
     * Registers this process for {@code MEMBARRIER_CMD_GLOBAL_EXPEDITED} (Linux 4.16+): from now on a
     * {@link #globalBarrier()} of any process interrupts this one's running threads with a full memory barrier,
     * so they may order a store before a load with program order alone (the asymmetric fence). Returns whether
     * the kernel supports and accepted it (a seccomp filter may refuse the call).
     */
    public static boolean registerForGlobalBarrier() {
        long supported = syscall(SYS_MEMBARRIER, MEMBARRIER_CMD_QUERY, 0, 0, 0, 0, 0);
        if (supported < 0 || (supported & MEMBARRIER_CMD_GLOBAL_EXPEDITED) == 0
                || (supported & MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) == 0) {
            return false;
        }
        return syscall(SYS_MEMBARRIER, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0, 0, 0, 0) == 0;
    }

    /**
     * {@code membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)}: returns once every running thread of every process
     * registered by {@link #registerForGlobalBarrier()} has executed a full memory barrier (threads not running
     * passed one when they were switched out). The heavy side of the asymmetric fence: microseconds.
     *
     * @return 0, or the errno
     */
    public static int globalBarrier() {
        return syscall(SYS_MEMBARRIER, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0, 0, 0, 0) == 0 ? 0 : Libc.errno();
    }

    /** glibc's {@code long syscall(long number, ...)}: every futex argument fits a register-sized long. */
    private static native long syscall(long number, long address, long op, long value, long timeout, long address2,
            long value3);

    /**
     * Sleeps while the 32-bit word at {@code address} holds {@code expected}, at most {@code timeoutNanos}
     * (relative, on the monotonic clock). Returns as soon as a {@link #wake} reaches the word, when the word
     * holds another value already (checked atomically with falling asleep), on a signal, or spuriously: the
     * caller re-checks its condition either way.
     *
     * @return 0 when woken, else the errno: {@link Errno#EAGAIN} (the word had changed),
     *         {@link Errno#ETIMEDOUT}, {@link Errno#EINTR}, or another error of the call
     */
    public static int await(long address, int expected, long timeoutNanos) {
        long nanos = Math.max(1, timeoutNanos);
        Scratch scratch = Scratch.get();
        ByteBuffer memory = scratch.memory();
        memory.putLong(Scratch.TIMESPEC + Structs.TIMESPEC_TV_SEC, nanos / 1_000_000_000L);
        memory.putLong(Scratch.TIMESPEC + Structs.TIMESPEC_TV_NSEC, nanos % 1_000_000_000L);
        long result = syscall(SYS_FUTEX, address, FUTEX_WAIT, expected, scratch.address(Scratch.TIMESPEC), 0, 0);
        return result == 0 ? 0 : Libc.errno();
    }

    /**
     * Wakes up to {@code count} threads (of any process) sleeping on the word at {@code address}.
     *
     * @return how many were woken, or {@code -errno}
     */
    public static int wake(long address, int count) {
        long result = syscall(SYS_FUTEX, address, FUTEX_WAKE, count, 0, 0, 0);
        return result >= 0 ? (int) result : -Libc.errno();
    }

    /** Both operations once on a private word: a wake finds nobody, a wait for a value the word lacks returns. */
    private static void selfTest() {
        ByteBuffer word = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        long address = Scratch.directAddress(word);
        int woken = wake(address, Integer.MAX_VALUE);
        if (woken != 0) {
            throw new UnsupportedOperationException("futex(FUTEX_WAKE) on a fresh word returned " + woken
                    + (woken < 0 ? " (errno " + -woken + ")" : ""));
        }
        int waited = await(address, 1, 1_000_000L);
        if (waited != Errno.EAGAIN) {
            throw new UnsupportedOperationException("futex(FUTEX_WAIT) for a value the word does not hold gave "
                    + (waited == 0 ? "success" : "errno " + waited) + ", expected EAGAIN");
        }
    }
}
