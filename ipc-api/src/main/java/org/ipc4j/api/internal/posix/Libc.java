package org.ipc4j.api.internal.posix;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.ipc4j.api.Platform;
import org.ipc4j.api.internal.Errno;

/**
 * The POSIX functions of the C library that ipc4j calls on every supported system (Linux and macOS).
 * Call only after {@link NativeSupport#isAvailable} said {@link NativeSupport.Binding#LIBC} works: loading
 * this class binds native code.
 *
 * <p><b>Direct mapping</b> ({@code Native.register}) for every fixed-argument function: no proxy, no
 * boxing, no conversion. Arguments are primitives; memory is passed as a {@code long} address (the
 * bindings are loaded only where pointers are 64 bits), {@code size_t}/{@code ssize_t} are {@code long}.
 * Strings are converted by JNA (cold calls only: paths).
 *
 * <p><b>Variadic functions</b> ({@code open}, {@code fcntl}, {@code ioctl}) go through {@link Variadic}, an
 * interface mapping whose Java varargs JNA passes as C variadic arguments. A fixed declaration happens to
 * work on x86-64 but not where variadic arguments travel differently from fixed ones (Apple Silicon puts
 * them on the stack). Those calls are on cold paths.
 *
 * <p><b>errno</b>: JNA saves errno right after every native call; read it with {@link #errno()} immediately
 * after a call reported failure (-1), before any other native call, and never take a non-zero errno after
 * a successful call as a failure.
 */
public final class Libc {
    private static final boolean MAC = Platform.current() == Platform.MAC;

    static {
        Libraries.register(Libc.class, "close");
    }

    private Libc() {
    }

    /**
     * The errno of the native call this thread made last, as a Linux number ({@link Errno}'s constants):
     * macOS numbers are translated ({@link Errno#fromDarwin}), so callers compare with one set of constants.
     */
    public static int errno() {
        int errno = Native.getLastError();
        return MAC ? Errno.fromDarwin(errno) : errno;
    }

    // ---------------------------------------------------------------- file descriptors

    public static native int close(int fd);

    /**
     * @param fds address of two {@code int}s (e.g. {@link Scratch#WORD}): receives the read end, then the
     *     write end
     */
    public static native int pipe(long fds);

    /** Makes {@code newFd} a copy of {@code oldFd}, closing what {@code newFd} was first. */
    public static native int dup2(int oldFd, int newFd);

    /** @return bytes read, 0 at end of file, -1 on error */
    public static native long read(int fd, long buffer, long count);

    /** @return bytes written, or -1 on error */
    public static native long write(int fd, long buffer, long count);

    /**
     * @param fds address of {@code nfds} {@code struct pollfd} ({@link Structs#POLLFD_SIZE} bytes each)
     * @return how many have events, 0 on timeout, -1 on error
     */
    public static native int poll(long fds, long nfds, int timeoutMillis);

    /** Sets the mode of an open file, so that the process umask does not narrow what the caller asked for. */
    public static native int fchmod(int fd, int mode);

    public static native int mkfifo(String path, int mode);

    // ---------------------------------------------------------------- process

    public static native int geteuid();

    public static native int getpagesize();

    /** @param rlimit address of a {@code struct rlimit} ({@link Structs#RLIMIT_SIZE} bytes) */
    public static native int getrlimit(int resource, long rlimit);

    // ---------------------------------------------------------------- memory

    /** @param address page aligned */
    public static native int madvise(long address, long length, int advice);

    /**
     * @param address page aligned
     * @param vector address of one byte per page, whose low bit tells whether the page is resident
     */
    public static native int mincore(long address, long length, long vector);

    // ---------------------------------------------------------------- variadic (cold paths)

    /** {@code open(path, flags)}: no variadic argument, for flags without {@code O_CREAT}. */
    public static int open(String path, int flags) {
        return Holder.VARIADIC.open(path, flags);
    }

    /** {@code open(path, flags, mode)}: the mode passed as a C variadic {@code int}. */
    public static int open(String path, int flags, int mode) {
        return Holder.VARIADIC.open(path, flags, mode);
    }

    /** {@code fcntl(fd, cmd)}, e.g. {@link OsConstants#F_GETPIPE_SZ} or {@link OsConstants#F_GETFL}. */
    public static int fcntl(int fd, int cmd) {
        return Holder.VARIADIC.fcntl(fd, cmd);
    }

    /** {@code fcntl(fd, cmd, arg)} with an {@code int} argument, e.g. {@link OsConstants#F_SETPIPE_SZ}. */
    public static int fcntl(int fd, int cmd, int arg) {
        return Holder.VARIADIC.fcntl(fd, cmd, arg);
    }

    /** {@code fcntl(fd, cmd, pointer)}, e.g. {@link OsConstants#F_OFD_SETLK} with a {@code struct flock *}. */
    public static int fcntl(int fd, int cmd, long pointer) {
        return Holder.VARIADIC.fcntl(fd, cmd, new Pointer(pointer));
    }

    /** {@code ioctl(fd, request, pointer)}, e.g. {@link OsConstants#FIONREAD} with the address of an int. */
    public static int ioctl(int fd, long request, long argument) {
        return Holder.VARIADIC.ioctl(fd, request, new Pointer(argument));
    }

    /**
     * The variadic functions, declared with Java varargs so that JNA passes the extra arguments as C
     * variadic ones (with C's default promotions: {@code mode_t} travels as an {@code int}).
     */
    public interface Variadic extends Library {
        int open(String path, int flags, Object... mode);

        int fcntl(int fd, int cmd, Object... argument);

        int ioctl(int fd, long request, Object... argument);
    }

    /** Bound on the first variadic call only. */
    private static final class Holder {
        static final Variadic VARIADIC = Native.load(com.sun.jna.Platform.C_LIBRARY_NAME, Variadic.class);
    }
}
