package org.ipc4j.api.internal.posix;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The POSIX named-semaphore functions, from whichever library has them (libc since glibc 2.34, libpthread
 * before). Call only after {@link NativeSupport#isAvailable} said {@link NativeSupport.Binding#SEM} works:
 * loading this class binds native code, and nothing else in ipc4j binds {@code sem_*}.
 *
 * <p>A {@code sem_t *} is a {@code long} address, never dereferenced from Java. The hot calls
 * ({@code sem_post}, {@code sem_wait}, {@code sem_trywait}, {@code sem_timedwait}) are directly mapped with
 * primitive arguments. {@code sem_open} is variadic and goes through {@link Variadic}. Read errno with
 * {@link Libc#errno()} right after a call returned -1 (or {@code SEM_FAILED}), and only then: glibc's
 * {@code sem_open(O_CREAT)} succeeds with errno left at ENOENT from its first attempt to open an existing
 * file.
 */
public final class SemCalls {
    private static final String LIBRARY = Libraries.register(SemCalls.class, "sem_timedwait");
    private static final Variadic VARIADIC = Native.load(LIBRARY, Variadic.class);

    private SemCalls() {
    }

    /** {@code sem_open(name, 0)} and the like: opens an existing semaphore; the address, or {@code SEM_FAILED}. */
    public static long sem_open(String name, int oflag) {
        return Pointer.nativeValue(VARIADIC.sem_open(name, oflag));
    }

    /**
     * {@code sem_open(name, oflag, mode, value)} with {@code O_CREAT}: mode and value passed as C variadic
     * {@code int}s (C's default promotions make {@code mode_t} and {@code unsigned int} ints).
     *
     * @return the address, or {@code SEM_FAILED} (see {@link #failed(long)})
     */
    public static long sem_open(String name, int oflag, int mode, int value) {
        return Pointer.nativeValue(VARIADIC.sem_open(name, oflag, mode, value));
    }

    /** Whether a {@code sem_open} result is {@code SEM_FAILED} on this platform (or a null pointer). */
    public static boolean failed(long sem) {
        return sem == OsConstants.SEM_FAILED || sem == 0;
    }

    public static native int sem_post(long sem);

    public static native int sem_wait(long sem);

    public static native int sem_trywait(long sem);

    /** @param absTime address of a {@code struct timespec}: an absolute CLOCK_REALTIME time */
    public static native int sem_timedwait(long sem, long absTime);

    /** @param value address of an {@code int} that receives the count */
    public static native int sem_getvalue(long sem, long value);

    /** Unmaps the semaphore: no thread may be inside a call on it (see {@link InUseGuard}). */
    public static native int sem_close(long sem);

    public static native int sem_unlink(String name);

    /**
     * {@code sem_t *sem_open(const char *name, int oflag, ...)}: with {@code O_CREAT} the mode and the initial
     * value are variadic arguments.
     *
     * <p>Deliberately not declared {@code throws LastErrorException}: JNA would then throw whenever errno is
     * non-zero after the call, which glibc's successful {@code sem_open(O_CREAT)} leaves it.
     */
    public interface Variadic extends Library {
        Pointer sem_open(String name, int oflag, Object... modeAndValue);
    }
}
