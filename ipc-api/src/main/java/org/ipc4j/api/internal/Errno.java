package org.ipc4j.api.internal;

import java.util.HashMap;
import java.util.Map;
import org.ipc4j.api.NativeException;

/**
 * errno names and texts for messages, without a native call (a failed native call must not be followed by
 * another one before errno is reported). Values are Linux's, and Java code compares errno with these
 * constants only: the native layer ({@code org.ipc4j.api.internal.posix.Libc#errno()}) translates macOS's
 * numbers to these with {@link #fromDarwin(int)} right after the failed call. Checked against the C headers
 * of the build machine in a test.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int EDEADLK = 35;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int EOVERFLOW = 75;
    public static final int EMSGSIZE = 90;
    public static final int ENOTSUP = 95;
    public static final int ETIMEDOUT = 110;
    public static final int EOWNERDEAD = 130;
    public static final int ENXIO = 6;
    public static final int ENOTTY = 25;
    public static final int EROFS = 30;
    public static final int ELOOP = 40;

    /**
     * Where an unknown macOS errno is moved to, so that it cannot be mistaken for the Linux errno of the same
     * number: {@code DARWIN_UNMAPPED + n}, described as {@code "errno n (macOS)"}.
     */
    public static final int DARWIN_UNMAPPED = 1 << 16;

    private static final Map<Integer, String[]> LINUX = new HashMap<>();

    static {
        put(EPERM, "EPERM", "Operation not permitted");
        put(ENOENT, "ENOENT", "No such file or directory");
        put(ESRCH, "ESRCH", "No such process");
        put(EINTR, "EINTR", "Interrupted system call");
        put(EIO, "EIO", "Input/output error");
        put(ENXIO, "ENXIO", "No such device or address");
        put(EBADF, "EBADF", "Bad file descriptor");
        put(EAGAIN, "EAGAIN", "Resource temporarily unavailable");
        put(ENOMEM, "ENOMEM", "Cannot allocate memory");
        put(EACCES, "EACCES", "Permission denied");
        put(EFAULT, "EFAULT", "Bad address");
        put(EBUSY, "EBUSY", "Device or resource busy");
        put(EEXIST, "EEXIST", "File exists");
        put(ENOTDIR, "ENOTDIR", "Not a directory");
        put(EISDIR, "EISDIR", "Is a directory");
        put(EINVAL, "EINVAL", "Invalid argument");
        put(ENFILE, "ENFILE", "Too many open files in system");
        put(EMFILE, "EMFILE", "Too many open files");
        put(ENOSPC, "ENOSPC", "No space left on device");
        put(EPIPE, "EPIPE", "Broken pipe");
        put(ERANGE, "ERANGE", "Numerical result out of range");
        put(EDEADLK, "EDEADLK", "Resource deadlock avoided");
        put(ENAMETOOLONG, "ENAMETOOLONG", "File name too long");
        put(ENOSYS, "ENOSYS", "Function not implemented");
        put(EOVERFLOW, "EOVERFLOW", "Value too large for defined data type");
        put(EMSGSIZE, "EMSGSIZE", "Message too long");
        put(ENOTSUP, "ENOTSUP", "Operation not supported");
        put(ETIMEDOUT, "ETIMEDOUT", "Connection timed out");
        put(EOWNERDEAD, "EOWNERDEAD", "Owner died");
        put(ENOTTY, "ENOTTY", "Inappropriate ioctl for device");
        put(EROFS, "EROFS", "Read-only file system");
        put(ELOOP, "ELOOP", "Too many levels of symbolic links");
    }

    /**
     * The Linux errno for a macOS (Darwin) errno. Both share the numbers 1 to 34 except 11 (EDEADLK on macOS,
     * EAGAIN on Linux); above that they differ. Values in this class's table are translated; any other
     * value above 34 becomes {@code DARWIN_UNMAPPED + n}.
     */
    public static int fromDarwin(int darwin) {
        return switch (darwin) {
            case 11 -> EDEADLK;
            case 35 -> EAGAIN;
            case 40 -> EMSGSIZE;
            case 45, 102 -> ENOTSUP; // ENOTSUP, EOPNOTSUPP
            case 60 -> ETIMEDOUT;
            case 62 -> ELOOP;
            case 63 -> ENAMETOOLONG;
            case 78 -> ENOSYS;
            case 84 -> EOVERFLOW;
            case 105 -> EOWNERDEAD;
            default -> darwin <= 34 ? darwin : DARWIN_UNMAPPED + darwin;
        };
    }

    private Errno() {
    }

    private static void put(int value, String name, String text) {
        LINUX.put(value, new String[] {name, text});
    }

    /** {@code "EMFILE (Too many open files)"}, or {@code "errno 123"} for a value not in the table. */
    public static String describe(int errno) {
        String[] e = LINUX.get(errno);
        return e == null ? unknown(errno) : e[0] + " (" + e[1] + ")";
    }

    /** The symbolic name, e.g. {@code "EMFILE"}, or {@code "errno 123"}. */
    public static String name(int errno) {
        String[] e = LINUX.get(errno);
        return e == null ? unknown(errno) : e[0];
    }

    private static String unknown(int errno) {
        return errno > DARWIN_UNMAPPED ? "errno " + (errno - DARWIN_UNMAPPED) + " (macOS)" : "errno " + errno;
    }

    /** {@code function("arg") failed: EMFILE (Too many open files)[; detail]}. */
    public static String message(String function, String argument, int errno, String detail) {
        StringBuilder sb = new StringBuilder(function).append('(');
        if (argument != null) {
            sb.append('"').append(argument).append('"');
        }
        sb.append(") failed: ").append(describe(errno));
        if (detail != null && !detail.isEmpty()) {
            sb.append("; ").append(detail);
        }
        return sb.toString();
    }

    /** A {@link NativeException} with the standard message. */
    public static NativeException exception(String function, String argument, int errno, String detail) {
        return new NativeException(message(function, argument, errno, detail), function, errno);
    }
}
