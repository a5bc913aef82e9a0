package org.ipc4j.pipe.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.posix.InUseGuard;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.OsConstants;
import org.ipc4j.api.internal.posix.Poll;
import org.ipc4j.api.internal.posix.Scratch;

/**
 * The write end of a FIFO as an {@link OutputStream}, over a descriptor opened with {@code O_NONBLOCK} and
 * checked to be the FIFO it claims to be (see {@link Fifos#checkOpened}).
 *
 * <p>Why not a FileChannel: a FileChannel can only be opened by path, so the descriptor checked and the one
 * used could differ. {@code write} blocks while the pipe is full, waiting in {@code poll(2)} slices of
 * 100 ms: {@link #close()} from another thread ends it with an IOException, and an interrupt closes the
 * stream and ends it with {@link InterruptedIOException} (interrupt status kept), as a FileChannel would.
 * Bytes written before that stay written. A write after every reader has gone fails ("Broken pipe").
 */
final class FdOutputStream extends OutputStream {
    private static final int SLICE_MILLIS = 100;

    private final String name;
    private final int fd;
    private final InUseGuard guard;
    /** What write(2) reads, copied in first; one writer at a time uses it. */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 << 10);
    private final long bufferAddress = Scratch.directAddress(buffer);

    FdOutputStream(int fd, String name) {
        this.guard = Fd.own(name, fd);
        this.fd = fd;
        this.name = name;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (!guard.tryEnter()) {
            throw new IOException(name + " is closed");
        }
        try {
            synchronized (buffer) {
                while (len > 0) {
                    int chunk = Math.min(len, buffer.capacity());
                    buffer.put(0, b, off, chunk);
                    long done = 0;
                    while (done < chunk) {
                        if (!guard.isOpen()) {
                            throw new IOException(name + " was closed while writing");
                        }
                        long n = Libc.write(fd, bufferAddress + done, chunk - done);
                        if (n > 0) {
                            done += n;
                            continue;
                        }
                        int errno = Libc.errno();
                        if (errno == Errno.EINTR) {
                            continue;
                        }
                        if (errno != Errno.EAGAIN) {
                            throw new IOException(Errno.message("write", name, errno, errno == Errno.EPIPE
                                    ? "Broken pipe: every reader has closed the FIFO" : null));
                        }
                        if (Thread.currentThread().isInterrupted()) {
                            close();
                            throw new InterruptedIOException("interrupted while writing " + name + "; the stream is closed");
                        }
                        Poll.ready(fd, OsConstants.POLLOUT, SLICE_MILLIS);
                    }
                    off += chunk;
                    len -= chunk;
                }
            }
        } finally {
            guard.exit();
        }
    }

    /** Closes; a write blocked in another thread ends within one poll slice, and the descriptor is closed then. */
    @Override
    public void close() {
        guard.close();
    }
}
