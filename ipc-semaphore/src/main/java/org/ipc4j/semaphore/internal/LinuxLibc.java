package org.ipc4j.semaphore.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.util.List;

/**
 * The POSIX semaphore functions of Linux's C library. Constants are Linux's (x86-64 and aarch64 share
 * them). Hot calls ({@code sem_post}, {@code sem_wait}, {@code sem_trywait}, {@code sem_timedwait}) use
 * JNA direct mapping: no proxy, no argument boxing. errno of a direct call is read with
 * {@link Native#getLastError()} immediately after the call returned -1, before any other native call.
 *
 * <p>A {@code sem_t *} is kept as a {@link Pointer}; it is never dereferenced from Java.
 */
final class LinuxLibc {
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;

    /** {@code SEM_VALUE_MAX} of glibc: INT_MAX. */
    static final long SEM_VALUE_MAX = Integer.MAX_VALUE;

    /** Linux: {@code SEM_FAILED} is {@code (sem_t *) 0}; macOS uses {@code (sem_t *) -1}. */
    static final long SEM_FAILED = 0L;

    /** glibc 2.34+ has the semaphore functions in libc; older ones in libpthread (librt re-exports them). */
    private static final List<String> LIBRARIES = List.of("c", "pthread", "rt");

    static final NativeLibrary LIBRARY;
    static final Variadic VARIADIC;

    static {
        UnsatisfiedLinkError last = null;
        NativeLibrary found = null;
        String foundName = null;
        for (String name : LIBRARIES) {
            try {
                NativeLibrary lib = NativeLibrary.getInstance(name);
                Native.register(LinuxLibc.class, lib);
                found = lib;
                foundName = name;
                break;
            } catch (UnsatisfiedLinkError e) {
                last = e;
            }
        }
        if (found == null) {
            throw last != null ? last : new UnsatisfiedLinkError("no C library with sem_open");
        }
        LIBRARY = found;
        VARIADIC = Native.load(foundName, Variadic.class);
    }

    private LinuxLibc() {
    }

    static native int sem_post(Pointer sem);

    static native int sem_wait(Pointer sem);

    static native int sem_trywait(Pointer sem);

    /**
     * {@code abstime} points to a {@code struct timespec} of an LP64 system: {@code {long tv_sec; long
     * tv_nsec;}} (16 bytes, checked against the C headers in a test), an absolute CLOCK_REALTIME time.
     */
    static native int sem_timedwait(Pointer sem, Pointer abstime);

    static native int sem_getvalue(Pointer sem, int[] value);

    static native int sem_close(Pointer sem);

    static native int sem_unlink(String name);

    /**
     * {@code sem_open} is variadic: {@code sem_t *sem_open(const char *name, int oflag, ...)}. Variadic
     * arguments may be passed differently from fixed ones (on Apple Silicon they go on the stack, and on
     * x86-64 the caller must set %al), so a fixed 4-argument declaration is not safe everywhere. Direct
     * mapping cannot call variadic functions; this interface mapping declares the extra arguments as Java
     * varargs, which JNA passes as C variadic arguments. The call is on the cold path (open) only.
     */
    interface Variadic extends Library {
        /**
         * Opens an existing semaphore: no variadic arguments.
         *
         * <p>Deliberately not declared {@code throws LastErrorException}: JNA then throws whenever errno is
         * non-zero after the call, and glibc's {@code sem_open(O_CREAT)} succeeds with errno left at ENOENT
         * from its first attempt to open an existing file. errno is read only after a SEM_FAILED result.
         */
        Pointer sem_open(String name, int oflag);

        /**
         * With {@code O_CREAT}: the variadic {@code mode_t mode} and {@code unsigned int value}, both passed as
         * {@link Integer} (default argument promotion makes them C ints).
         */
        Pointer sem_open(String name, int oflag, Object... modeAndValue);
    }

    /** Whether a {@code sem_open} result is {@code SEM_FAILED} on this platform. */
    static boolean isSemFailed(Pointer p) {
        return p == null || Pointer.nativeValue(p) == SEM_FAILED;
    }
}
