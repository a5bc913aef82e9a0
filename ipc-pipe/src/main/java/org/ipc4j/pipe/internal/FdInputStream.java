package org.ipc4j.pipe.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.posix.InUseGuard;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.OsConstants;
import org.ipc4j.api.internal.posix.Poll;
import org.ipc4j.api.internal.posix.Scratch;

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
    private final int fd;
    private final InUseGuard guard;
    /** What read(2) fills, then copied out; one reader at a time uses it. */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 << 10);
    private final long bufferAddress = Scratch.directAddress(buffer);

    FdInputStream(int fd, String name) {
        this.guard = Fd.own(name, fd);
        this.fd = fd;
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
        if (!guard.tryEnter()) {
            throw new IOException(name + " is closed");
        }
        try {
            synchronized (buffer) {
                while (true) {
                    if (!guard.isOpen()) {
                        throw new IOException(name + " was closed while reading");
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        throw new java.io.InterruptedIOException("interrupted while reading " + name);
                    }
                    if (!Poll.ready(fd, OsConstants.POLLIN, SLICE_MILLIS)) {
                        continue;
                    }
                    long n = Libc.read(fd, bufferAddress, Math.min(len, buffer.capacity()));
                    if (n > 0) {
                        buffer.get(0, b, off, (int) n);
                        return (int) n;
                    }
                    if (n == 0) {
                        return -1;
                    }
                    int errno = Libc.errno();
                    if (errno != Errno.EAGAIN && errno != Errno.EINTR) {
                        throw new IOException(Errno.message("read", name, errno, null));
                    }
                }
            }
        } finally {
            guard.exit();
        }
    }

    /** Closes; a read blocked in another thread ends within one poll slice, and the descriptor is closed then. */
    @Override
    public void close() {
        guard.close();
    }
}
