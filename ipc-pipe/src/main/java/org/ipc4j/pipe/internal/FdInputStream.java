package org.ipc4j.pipe.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.IOException;
import java.io.InputStream;
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

    private final String name;
    private final Fd fd;
    private final Memory scratch = new Memory(64 << 10);
    private volatile boolean closed;

    FdInputStream(int fd, String name) {
        this.fd = new Fd(fd);
        this.name = name;
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
        int descriptor = fd.enter();
        if (descriptor < 0) {
            throw new IOException(name + " is closed");
        }
        try {
            synchronized (scratch) {
                while (true) {
                    if (closed) {
                        throw new IOException(name + " was closed while reading");
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        throw new java.io.InterruptedIOException("interrupted while reading " + name);
                    }
                    if (!Fd.poll(descriptor, LinuxLibc.POLLIN, SLICE_MILLIS)) {
                        continue;
                    }
                    long n = LinuxLibc.libc().read(descriptor, scratch, Math.min(len, scratch.size()));
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
            }
        } finally {
            fd.exit();
        }
    }

    /** Closes; a read blocked in another thread ends within one poll slice, and the descriptor is closed then. */
    @Override
    public void close() {
        closed = true;
        fd.retire();
    }
}
