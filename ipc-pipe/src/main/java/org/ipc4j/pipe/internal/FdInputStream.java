package org.ipc4j.pipe.internal;

import com.sun.jna.Native;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.util.Objects;
import org.ipc4j.api.internal.Errno;

/**
 * The read end of a FIFO as an {@link InputStream}, over a file descriptor opened with {@code O_NONBLOCK}.
 *
 * <p>Why not a FileChannel: the descriptor is the one opened without blocking before any writer existed,
 * which is what lets a writer come, write and leave before this side has finished opening without its data
 * being lost or the open hanging. Reads wait in {@code poll(2)} slices of 100 ms, so {@link #close()} from
 * another thread and an interrupt end a blocked read promptly. End of stream is reported only after a writer
 * has come and gone (Linux sets {@code POLLHUP} only then), so a reader that is waiting for its first writer
 * simply waits.
 */
final class FdInputStream extends InputStream {
    private static final int SLICE_MILLIS = 100;
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final String name;
    private final Object lock = new Object();
    private int fd;
    private volatile boolean closed;
    private boolean reading;
    private com.sun.jna.Memory scratch = new com.sun.jna.Memory(64 << 10);

    FdInputStream(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /**
     * Waits up to {@code millis} for data or a departed writer.
     *
     * @return true if a read would not block
     */
    static boolean poll(int fd, int millis) throws IOException {
        return poll(fd, LinuxLibc.POLLIN, millis);
    }

    /** Waits up to {@code millis} for one of {@code events} (or an error or hang-up); true if it happened. */
    static boolean poll(int fd, short events, int millis) throws IOException {
        return (revents(fd, events, millis) & (events | LinuxLibc.POLLHUP | LinuxLibc.POLLERR)) != 0;
    }

    /** Waits up to {@code millis} for one of {@code events} and returns the revents bits (0 on timeout or EINTR). */
    static int revents(int fd, short events, int millis) throws IOException {
        int[] pollfd = {fd, LITTLE ? events : events << 16};
        int n = LinuxLibc.libc().poll(pollfd, 1, millis);
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw new IOException(Errno.message("poll", null, errno, null));
        }
        return n > 0 ? (LITTLE ? pollfd[1] >>> 16 : pollfd[1] & 0xffff) : 0;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        synchronized (lock) {
            if (closed) {
                throw new IOException(name + " is closed");
            }
            reading = true;
        }
        try {
            while (true) {
                if (closed) {
                    throw new IOException(name + " was closed while reading");
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new java.io.InterruptedIOException("interrupted while reading " + name);
                }
                if (!poll(fd, SLICE_MILLIS)) {
                    continue;
                }
                int want = (int) Math.min(len, scratch.size());
                long n = LinuxLibc.libc().read(fd, scratch, want);
                if (n > 0) {
                    scratch.read(0, b, off, (int) n);
                    return (int) n;
                }
                if (n == 0) {
                    return -1;
                }
                int errno = Native.getLastError();
                if (errno != Errno.EAGAIN && errno != Errno.EINTR) {
                    throw new IOException(Errno.message("read", name, errno, null));
                }
            }
        } finally {
            synchronized (lock) {
                reading = false;
                if (closed) {
                    closeFd();
                }
            }
        }
    }

    /** Closes; a read blocked in another thread ends within one poll slice and the descriptor is closed then. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (!reading) {
                closeFd();
            }
        }
    }

    private void closeFd() {
        // the descriptor is closed only when no thread is in poll/read on it, so its number cannot be reused under us
        if (fd >= 0) {
            LinuxLibc.libc().close(fd);
            fd = -1;
            scratch.close();
        }
    }
}
