package org.ipc4j.pipe.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.ipc4j.api.Platform;

/**
 * The few libc calls the pipe and FIFO code needs, with interface mapping.
 * {@code open} is variadic in C and is declared with varargs so that JNA passes the mode the way the
 * platform's calling convention wants (Apple Silicon passes variadic arguments on the stack).
 * The flag values differ between Linux and Darwin; {@link #O_NONBLOCK} and {@link #O_CLOEXEC} pick the
 * right one for the running platform.
 */
interface LinuxLibc extends Library {

    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_NONBLOCK = Platform.current() == Platform.MAC ? 0x0004 : 04000;
    int O_CLOEXEC = Platform.current() == Platform.MAC ? 0x01000000 : 02000000;

    short POLLIN = 0x001;
    short POLLERR = 0x008;
    short POLLHUP = 0x010;

    short POLLOUT = 0x004;
    /** ioctl request: bytes queued in a pipe. */
    long FIONREAD = Platform.current() == Platform.MAC ? 0x4004667fL : 0x541BL;
    /** fcntl command: capacity of a pipe (Linux only). */
    int F_GETPIPE_SZ = 1032;
    /** fcntl command: set the capacity of a pipe (Linux only; capped by /proc/sys/fs/pipe-max-size). */
    int F_SETPIPE_SZ = 1031;
    /** fcntl commands and the close-on-exec flag: the same values on Linux and Darwin. */
    int F_DUPFD = 0;
    int F_SETFD = 2;
    int F_GETFL = 3;
    int F_SETFL = 4;
    int FD_CLOEXEC = 1;
    /** Refuse a symbolic link as the last path component (its value differs between architectures). */
    int O_NOFOLLOW = Platform.current() == Platform.MAC ? 0x0100
            : System.getProperty("os.arch").matches("aarch64|arm.*") ? 0100000 : 0400000;
    /** errno when O_NOFOLLOW met a symbolic link. */
    int ELOOP = Platform.current() == Platform.MAC ? 62 : 40;

    int mkfifo(String path, int mode);

    long write(int fd, com.sun.jna.Pointer buffer, long count);

    int ioctl(int fd, long request, Object... args);

    int fcntl(int fd, int cmd, Object... args);

    /** {@code fds} holds pollfd structs as pairs of ints: fd, then events and revents as two shorts. */
    int poll(int[] fds, long nfds, int timeoutMillis);

    long read(int fd, com.sun.jna.Pointer buffer, long count);

    int open(String path, int flags, Object... mode);

    int close(int fd);

    /** {@code fds} receives the read end, then the write end. */
    int pipe(int[] fds);

    int dup2(int oldFd, int newFd);

    int getpagesize();

    int geteuid();

    /** Loaded on first use, so that merely loading the provider never touches native code. */
    final class Holder {
        static final LinuxLibc LIBC = Native.load("c", LinuxLibc.class);

        private Holder() {
        }
    }

    static LinuxLibc libc() {
        return Holder.LIBC;
    }
}
