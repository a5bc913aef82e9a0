package org.ipc4j.pipe.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Objects;
import org.ipc4j.api.internal.Errno;

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
    private final Fd fd;
    private final Memory scratch = new Memory(64 << 10);
    private volatile boolean closed;

    FdOutputStream(int fd, String name) {
        this.fd = new Fd(fd);
        this.name = name;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        int descriptor = fd.enter();
        if (descriptor < 0) {
            throw new IOException(name + " is closed");
        }
        try {
            synchronized (scratch) {
                while (len > 0) {
                    int chunk = (int) Math.min(len, scratch.size());
                    scratch.write(0, b, off, chunk);
                    long done = 0;
                    while (done < chunk) {
                        if (closed) {
                            throw new IOException(name + " was closed while writing");
                        }
                        long n = LinuxLibc.libc().write(descriptor, scratch.share(done), chunk - done);
                        if (n > 0) {
                            done += n;
                            continue;
                        }
                        int errno = Native.getLastError();
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
                        Fd.poll(descriptor, LinuxLibc.POLLOUT, SLICE_MILLIS);
                    }
                    off += chunk;
                    len -= chunk;
                }
            }
        } finally {
            fd.exit();
        }
    }

    /** Closes; a write blocked in another thread ends within one poll slice, and the descriptor is closed then. */
    @Override
    public void close() {
        closed = true;
        fd.retire();
    }
}
