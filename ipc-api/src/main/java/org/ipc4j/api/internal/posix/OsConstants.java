package org.ipc4j.api.internal.posix;

import java.util.Locale;
import org.ipc4j.api.Platform;

/**
 * The flag and request values of the C headers that ipc4j's native calls pass, chosen once for the running
 * operating system and architecture. Linux values are checked against this machine's headers in a test
 * (a C program compiled with gcc); macOS values are those of Darwin's headers for the calls ipc4j makes
 * there (FIFOs), and are not tested in CI. A value that a platform does not have is documented as
 * Linux-only; callers check {@link Platform#current()} before they use it.
 *
 * <p>Pure Java: reading these constants loads no native code, so they may be used before
 * {@link NativeSupport} has said that native calls work.
 */
public final class OsConstants {
    private static final boolean MAC = Platform.current() == Platform.MAC;
    private static final boolean ARM = Platform.arch().toLowerCase(Locale.ROOT).matches("aarch64|arm.*");

    // ---------------------------------------------------------------- fcntl.h: open(2) flags

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = MAC ? 0x0200 : 0100;
    public static final int O_EXCL = MAC ? 0x0800 : 0200;
    public static final int O_NONBLOCK = MAC ? 0x0004 : 04000;
    public static final int O_CLOEXEC = MAC ? 0x01000000 : 02000000;
    /** Refuse a symbolic link as the last path component; on Linux its value differs between architectures. */
    public static final int O_NOFOLLOW = MAC ? 0x0100 : ARM ? 0100000 : 0400000;

    // ---------------------------------------------------------------- fcntl(2) and ioctl(2) requests

    /** fcntl: duplicate onto the lowest free descriptor at or above the argument (the same on Linux and macOS). */
    public static final int F_DUPFD = 0;
    /** fcntl: set the descriptor flags, i.e. {@link #FD_CLOEXEC} (the same on Linux and macOS). */
    public static final int F_SETFD = 2;
    /** fcntl: the file status flags, e.g. {@link #O_NONBLOCK} (the same on Linux and macOS). */
    public static final int F_GETFL = 3;
    /** fcntl: set the file status flags (the same on Linux and macOS). */
    public static final int F_SETFL = 4;
    /** The close-on-exec descriptor flag of {@link #F_SETFD} (the same on Linux and macOS). */
    public static final int FD_CLOEXEC = 1;

    /** fcntl: test for a conflicting open-file-description lock ({@code struct flock *}; Linux 3.15+). */
    public static final int F_OFD_GETLK = 36;
    /** fcntl: place or remove an open-file-description lock without waiting ({@code struct flock *}). */
    public static final int F_OFD_SETLK = 37;
    /** fcntl: place an open-file-description lock, waiting for a conflicting one to go. */
    public static final int F_OFD_SETLKW = 38;
    /** {@code struct flock} lock types (the same on Linux and macOS). */
    public static final short F_RDLCK = 0;
    public static final short F_WRLCK = 1;
    public static final short F_UNLCK = 2;

    /** fcntl: the capacity of a pipe in bytes (Linux only). */
    public static final int F_GETPIPE_SZ = 1032;
    /** fcntl: set the capacity of a pipe (Linux only; capped by /proc/sys/fs/pipe-max-size without privileges). */
    public static final int F_SETPIPE_SZ = 1031;
    /** ioctl: the number of bytes that can be read without blocking (an {@code int *} argument). */
    public static final long FIONREAD = MAC ? 0x4004667fL : 0x541BL;

    // ---------------------------------------------------------------- poll.h (the same on Linux and macOS)

    public static final short POLLIN = 0x001;
    public static final short POLLOUT = 0x004;
    public static final short POLLERR = 0x008;
    public static final short POLLHUP = 0x010;
    public static final short POLLNVAL = 0x020;

    // ---------------------------------------------------------------- sys/resource.h (Linux: all architectures)

    /** {@code RLIMIT_NOFILE}: open file descriptors per process (Linux x86-64 and aarch64: 7; macOS: 8). */
    public static final int RLIMIT_NOFILE = MAC ? 8 : 7;
    /** {@code RLIMIT_MSGQUEUE}: bytes of POSIX message queues per user (Linux only). */
    public static final int RLIMIT_MSGQUEUE = 12;

    // ---------------------------------------------------------------- sys/epoll.h (Linux only)

    public static final int EPOLL_CLOEXEC = 02000000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLONESHOT = 1 << 30;

    // ---------------------------------------------------------------- sys/mman.h, linux/falloc.h (Linux only)

    /** madvise: fault a range in for writing (Linux 5.14 and later; EINVAL before). */
    public static final int MADV_POPULATE_WRITE = 23;
    /** fallocate: allocate blocks without changing the file size. */
    public static final int FALLOC_FL_KEEP_SIZE = 1;

    // ---------------------------------------------------------------- semaphore.h, mqueue.h

    /** {@code SEM_VALUE_MAX} of glibc: {@code INT_MAX}. */
    public static final long SEM_VALUE_MAX = Integer.MAX_VALUE;
    /** {@code SEM_FAILED}: {@code (sem_t *) 0} on Linux, {@code (sem_t *) -1} on macOS. */
    public static final long SEM_FAILED = MAC ? -1L : 0L;
    /** {@code MQ_PRIO_MAX} on Linux: priorities run from 0 to 32767. */
    public static final int MQ_PRIO_MAX = 32768;

    private OsConstants() {
    }
}
