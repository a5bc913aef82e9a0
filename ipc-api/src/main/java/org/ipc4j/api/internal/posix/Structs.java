package org.ipc4j.api.internal.posix;

import java.util.Locale;
import org.ipc4j.api.Platform;

/**
 * Sizes and field offsets of the C structs that ipc4j's native calls read and write as raw memory, for the
 * 64-bit (LP64) platforms the bindings are loaded on ({@link NativeSupport} refuses others). Agrona-style
 * descriptor constants: code writes a struct with {@code putLong(base + TIMESPEC_TV_NSEC, ...)}, never
 * through a JNA {@code Structure} (no reflection, no allocation per call). Each value is checked against
 * C's {@code sizeof}/{@code offsetof} on this machine in a test.
 */
public final class Structs {
    private static final String ARCH = Platform.arch().toLowerCase(Locale.ROOT);

    /** {@code struct timespec}: {@code time_t tv_sec; long tv_nsec;}. */
    public static final int TIMESPEC_SIZE = 16;
    public static final int TIMESPEC_TV_SEC = 0;
    public static final int TIMESPEC_TV_NSEC = 8;

    /** {@code struct pollfd}: {@code int fd; short events; short revents;}. */
    public static final int POLLFD_SIZE = 8;
    public static final int POLLFD_FD = 0;
    public static final int POLLFD_EVENTS = 4;
    public static final int POLLFD_REVENTS = 6;

    /** {@code struct rlimit}: {@code rlim_t rlim_cur; rlim_t rlim_max;} ({@code RLIM_INFINITY} is all ones). */
    public static final int RLIMIT_SIZE = 16;
    public static final int RLIMIT_CUR = 0;
    public static final int RLIMIT_MAX = 8;

    /**
     * {@code struct mq_attr}: four {@code long}s (mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs) and four
     * reserved ones (Linux).
     */
    public static final int MQ_ATTR_SIZE = 64;
    public static final int MQ_ATTR_FLAGS = 0;
    public static final int MQ_ATTR_MAXMSG = 8;
    public static final int MQ_ATTR_MSGSIZE = 16;
    public static final int MQ_ATTR_CURMSGS = 24;

    /**
     * {@code struct flock} (Linux): {@code short l_type; short l_whence; off_t l_start; off_t l_len;
     * pid_t l_pid;}, padded to 32 bytes.
     */
    public static final int FLOCK_SIZE = 32;
    public static final int FLOCK_L_TYPE = 0;
    public static final int FLOCK_L_WHENCE = 2;
    public static final int FLOCK_L_START = 8;
    public static final int FLOCK_L_LEN = 16;
    public static final int FLOCK_L_PID = 24;

    /**
     * {@code struct epoll_event} is packed on x86-64 (12 bytes: {@code uint32_t events}, then the 64-bit data
     * at offset 4) and naturally aligned elsewhere (16 bytes, data at offset 8).
     */
    public static final boolean EPOLL_PACKED = ARCH.equals("amd64") || ARCH.equals("x86_64");
    public static final int EPOLL_EVENT_SIZE = EPOLL_PACKED ? 12 : 16;
    public static final int EPOLL_EVENT_EVENTS = 0;
    public static final int EPOLL_EVENT_DATA = EPOLL_PACKED ? 4 : 8;

    private Structs() {
    }
}
