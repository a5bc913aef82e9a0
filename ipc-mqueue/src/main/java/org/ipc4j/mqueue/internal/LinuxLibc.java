package org.ipc4j.mqueue.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The C library calls of the Linux message-queue implementation. Loading this class binds native code, so
 * only {@link MqSupport} touches it, and only after it has checked that the platform is Linux on a 64-bit
 * architecture: elsewhere a caller gets {@link org.ipc4j.api.UnsupportedPlatformException}, never an
 * {@link UnsatisfiedLinkError}.
 *
 * <p>Hot calls ({@code mq_timedsend}, {@code mq_timedreceive}) use JNA direct mapping with primitive
 * arguments only: pointers are passed as {@code long} addresses (this class is only bound where pointers
 * are 64 bits), so a call converts nothing and allocates nothing. {@code size_t}/{@code ssize_t} are
 * {@code long}, {@code mqd_t} and {@code unsigned int} are {@code int}.
 *
 * <p>errno: JNA saves errno right after every native call; callers read it with
 * {@link Native#getLastError()} immediately after a call returned -1, before any other native call.
 */
public final class LinuxLibc {
    /** Functions moved from librt into libc in glibc 2.34; older systems still need librt. */
    static final String LIBRARY;

    static {
        LIBRARY = libraryWithMqueue();
        Native.register(LinuxLibc.class, NativeLibrary.getInstance(LIBRARY));
    }

    // fcntl.h / mqueue.h constants (Linux, all architectures)
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;

    /** {@code RLIMIT_MSGQUEUE} from sys/resource.h (Linux, all architectures). */
    public static final int RLIMIT_MSGQUEUE = 12;
    /** {@code RLIMIT_NOFILE}: x86-64 and aarch64 (generic) both use 7. */
    public static final int RLIMIT_NOFILE = 7;

    public static final int EPOLL_CLOEXEC = O_CLOEXEC;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLONESHOT = 1 << 30;

    /**
     * {@code struct epoll_event} is packed on x86-64 (12 bytes: uint32 events, uint64 data at offset 4) and
     * naturally aligned elsewhere (16 bytes, data at offset 8).
     */
    public static final boolean EPOLL_PACKED = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    public static final int EPOLL_EVENT_SIZE = EPOLL_PACKED ? 12 : 16;
    public static final int EPOLL_EVENT_DATA_OFFSET = EPOLL_PACKED ? 4 : 8;

    /** {@code struct mq_attr}: four {@code long}s (mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs) and four reserved. */
    public static final int MQ_ATTR_SIZE = 64;
    public static final int MQ_ATTR_FLAGS = 0;
    public static final int MQ_ATTR_MAXMSG = 8;
    public static final int MQ_ATTR_MSGSIZE = 16;
    public static final int MQ_ATTR_CURMSGS = 24;

    /** {@code struct timespec} on LP64: {@code time_t tv_sec; long tv_nsec}. */
    public static final int TIMESPEC_SIZE = 16;

    /** {@code MQ_PRIO_MAX} on Linux: priorities run from 0 to 32767. */
    public static final int MQ_PRIO_MAX = 32768;

    private LinuxLibc() {
    }

    /**
     * {@code mq_open} is variadic: {@code mqd_t mq_open(const char *name, int oflag, ...)}, the mode and the
     * attribute pointer being read with {@code va_arg} only when {@code O_CREAT} is set. Declaring it with fixed
     * parameters happens to work on x86-64 but not where variadic arguments travel differently from fixed
     * ones (Apple Silicon passes them on the stack). JNA's interface mapping knows a Java varargs method
     * is variadic and sets up the call with the right number of fixed arguments, so this binding passes
     * {@code name} and {@code oflag} as fixed and {@code (int mode, Pointer attr)} as variadic, and only when
     * {@code O_CREAT} is set; the JNA rules also promote the values as C does ({@code mode_t} is passed as
     * an {@code int}). Opening is not a hot path, so the interface mapping's cost does not matter.
     */
    public interface Variadic extends Library {
        int mq_open(String name, int oflag, Object... modeAndAttributes);
    }

    /** The variadic functions, bound through interface mapping (see {@link Variadic}). */
    public static final Variadic VARIADIC = Native.load(LIBRARY, Variadic.class);

    public static native int mq_close(int mqdes);

    public static native int mq_unlink(String name);

    /** @param attr address of a {@code struct mq_attr} ({@value #MQ_ATTR_SIZE} bytes) */
    public static native int mq_getattr(int mqdes, long attr);

    /** @param absTimeout address of a {@code struct timespec} on CLOCK_REALTIME */
    public static native int mq_timedsend(int mqdes, long message, long length, int priority, long absTimeout);

    /**
     * @param priority address of an {@code unsigned int} that receives the priority, or 0
     * @param absTimeout address of a {@code struct timespec} on CLOCK_REALTIME
     * @return the message length or -1
     */
    public static native long mq_timedreceive(int mqdes, long buffer, long length, long priority, long absTimeout);

    /** @param rlimit address of a {@code struct rlimit} (two {@code rlim_t}, 16 bytes) */
    public static native int getrlimit(int resource, long rlimit);

    public static native int epoll_create1(int flags);

    /** @param event address of a {@code struct epoll_event} */
    public static native int epoll_ctl(int epfd, int op, int fd, long event);

    /** @param events address of an array of {@code struct epoll_event} */
    public static native int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis);

    public static native int close(int fd);

    /** Sets the mode of a queue this process created, so that the process umask does not narrow it. */
    public static native int fchmod(int fd, int mode);

    private static String libraryWithMqueue() {
        try {
            NativeLibrary c = NativeLibrary.getInstance("c");
            c.getFunction("mq_timedreceive");
            return "c";
        } catch (UnsatisfiedLinkError e) {
            return "rt";
        }
    }
}
