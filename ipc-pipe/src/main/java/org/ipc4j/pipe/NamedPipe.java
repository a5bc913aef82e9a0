package org.ipc4j.pipe;

import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.ipc4j.api.Capability;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.Sender;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.pipe.internal.FdReceiveEnd;
import org.ipc4j.pipe.internal.FdSendEnd;
import org.ipc4j.pipe.internal.Fifos;

/**
 * Named pipes (FIFOs): a file-system name for a one-way kernel pipe that unrelated processes open by path.
 *
 * <pre>{@code
 * Path fifo = Path.of("/tmp/app.fifo");
 * NamedPipe.create(fifo);                                            // mkfifo, mode 0600
 * try (Receiver in = NamedPipe.openReceiver(fifo, Duration.ofSeconds(30))) {
 *     byte[] message = in.receive();                                 // framed messages from any writer
 * }
 * NamedPipe.unlink(fifo);
 * }</pre>
 *
 * <p><b>Opening blocks until the other side opens</b>: a reader waits for a writer and a writer for a
 * reader. Every open here takes a timeout and then throws {@link OpenTimeoutException}; interrupting the
 * opening thread ends the wait with {@link InterruptedIOException}. No thread is left inside the kernel's
 * {@code open(2)} either way.
 *
 * <p><b>Raw streams</b> ({@link #openForReading}, {@link #openForWriting}) are what a shell's
 * {@code echo > fifo} or {@code cat fifo} sees. Closing a stream from another thread wakes a thread blocked
 * in it (within 100 ms); interrupting a thread blocked in a read ends it with
 * {@link InterruptedIOException}, and interrupting one blocked in a write closes the stream and ends it with
 * {@link InterruptedIOException}.
 *
 * <p><b>Only this user's FIFOs, never through a link</b>: every open uses {@code O_NOFOLLOW} and then checks
 * the opened descriptor itself: it must be a FIFO owned by this process's effective uid. A symbolic link at
 * the path, a FIFO planted by another user (say in {@code /tmp}) or a path swapped after the check is refused
 * with {@link org.ipc4j.api.PermissionDeniedException} (another owner) or {@link IpcException} (a link, not a
 * FIFO), naming the path and the owner. Sharing one FIFO between users is therefore not possible.
 *
 * <p><b>End of stream</b>: a reader sees end of stream once every writer has closed. A reader that should
 * outlive many short-lived writers (a log collector, a job inbox fed by shell scripts) keeps the FIFO open
 * for writing itself as well, so the count of writers never drops to zero.
 *
 * <p><b>Framed endpoints</b> ({@link #openSender}, {@link #openReceiver}) carry whole messages in the
 * ipc4j framing (4-byte big-endian length, then the payload). A frame of at most {@link #PIPE_BUF} bytes
 * including its 4-byte length is written with one {@code write(2)}, which POSIX makes atomic on a pipe: several
 * writers may then share one FIFO and the reader sees every message whole. A larger frame is written only
 * once the pipe has room for all of it (see {@link FifoChannel} for the rules), but the kernel does not
 * promise atomicity for it, so larger frames from several writers can interleave and corrupt the stream;
 * give each writer its own FIFO for those.
 *
 * <p>The caller owns every stream and endpoint returned and must close it. The FIFO's name stays until
 * {@link #unlink(Path)}.
 */
public final class NamedPipe {
    /** Bytes a single write to a pipe is guaranteed to deliver atomically on Linux (POSIX: at least 512). */
    public static final int PIPE_BUF = 4096;
    /** The largest payload whose frame is written atomically: {@link #PIPE_BUF} minus the 4-byte length. */
    public static final int ATOMIC_PAYLOAD = PIPE_BUF - Framing.HEADER_BYTES;

    private NamedPipe() {
    }

    /** Whether FIFOs work in this process, and why not if they do not. Never throws. */
    public static Capability capability() {
        return Fifos.capability("fifo");
    }

    /**
     * Creates a FIFO with mode 0600 (owner read and write only).
     *
     * @throws org.ipc4j.api.ObjectExistsException if the path exists
     * @throws org.ipc4j.api.NoSuchObjectException if the directory does not exist
     * @throws org.ipc4j.api.PermissionDeniedException if the directory is not writable
     */
    public static void create(Path path) throws IpcException {
        Fifos.create(path, OpenOptions.OWNER_ONLY, true);
    }

    /**
     * Creates a FIFO as {@code options} say: {@link org.ipc4j.api.OpenMode#CREATE} fails if the path exists,
     * {@code OPEN_OR_CREATE} accepts an existing FIFO owned by this user (but nothing else), {@code OPEN} only
     * checks that such a FIFO exists. The mode is exactly {@code options.permissions()}: bits removed by the umask are put back
     * (the umask can only narrow, so the FIFO is never wider than asked at any moment).
     *
     * @return true if this call created the FIFO
     * @throws org.ipc4j.api.PermissionDeniedException if an existing FIFO is owned by another user
     */
    public static boolean create(Path path, OpenOptions options) throws IpcException {
        Objects.requireNonNull(options, "options");
        if (!options.mayCreate()) {
            Fifos.requireFifo(path);
            return false;
        }
        return Fifos.create(path, options.permissions(), options.mode() == org.ipc4j.api.OpenMode.CREATE);
    }

    /** Whether {@code path} names a FIFO (not following a final symbolic link). */
    public static boolean isFifo(Path path) {
        return Fifos.isFifo(Objects.requireNonNull(path, "path"));
    }

    /**
     * Removes the FIFO's name. A missing path is fine (idempotent); a path that is not a FIFO is refused so that
     * a wrong path never deletes a regular file. Processes that have it open keep their ends.
     */
    public static void unlink(Path path) throws IpcException {
        Fifos.unlink(Objects.requireNonNull(path, "path"));
    }

    /**
     * Opens the FIFO's read end as a raw byte stream, waiting at most {@code timeout} for a writer.
     * The stream reads -1 once every writer has closed.
     *
     * @throws OpenTimeoutException if no writer opened it in time
     * @throws org.ipc4j.api.NoSuchObjectException if there is no FIFO (or no directory) at the path
     * @throws org.ipc4j.api.PermissionDeniedException if the FIFO's mode does not let this process read, or
     *         the FIFO is owned by another user
     * @throws IpcException if the path exists but is not a FIFO, or is a symbolic link
     * @throws InterruptedIOException if the thread is interrupted while waiting
     */
    public static InputStream openForReading(Path path, Duration timeout) throws IpcException, InterruptedIOException {
        return Fifos.openForReading(path, Deadline.after(timeout));
    }

    /**
     * Opens the FIFO's write end as a raw byte stream, waiting at most {@code timeout} for a reader. A write
     * after every reader has gone fails with an {@link java.io.IOException} ("Broken pipe").
     *
     * @throws OpenTimeoutException if no reader opened it in time
     * @see #openForReading(Path, Duration) for the other exceptions
     */
    public static OutputStream openForWriting(Path path, Duration timeout) throws IpcException, InterruptedIOException {
        return Fifos.openForWriting(path, Deadline.after(timeout));
    }

    /**
     * Opens the FIFO's read end for framed messages of at most {@code maxMessageSize} bytes, waiting at most
     * {@code timeout} for a writer. Receives run on the calling thread, and a {@code byte[]} receive allocates
     * the message's own size. When every writer has closed and the queued messages are taken, receives throw
     * {@link org.ipc4j.api.PeerGoneException}.
     */
    public static Receiver openReceiver(Path path, Duration timeout, int maxMessageSize)
            throws IpcException, InterruptedIOException {
        Framing.checkMaxFrame(maxMessageSize);
        int fd = Fifos.openReadFd(path, Deadline.after(timeout));
        return new FdReceiveEnd("fifo " + path + " (read end)", fd, maxMessageSize,
                () -> "fifo " + path + ": every writer closed it", null, null);
    }

    /** {@link #openReceiver(Path, Duration, int)} with the default maximum of 1 MiB. */
    public static Receiver openReceiver(Path path, Duration timeout) throws IpcException, InterruptedIOException {
        return openReceiver(path, timeout, Framing.DEFAULT_MAX_FRAME);
    }

    /**
     * Opens the FIFO's write end for framed messages of at most {@code maxMessageSize} bytes, waiting at most
     * {@code timeout} for a reader. Each message is written by the calling thread (see {@link FifoChannel} for
     * the blocking rules); a message of at most {@link #ATOMIC_PAYLOAD} bytes is one atomic write.
     */
    public static Sender openSender(Path path, Duration timeout, int maxMessageSize)
            throws IpcException, InterruptedIOException {
        Framing.checkMaxFrame(maxMessageSize);
        int fd = Fifos.openWriteFd(path, Deadline.after(timeout));
        return new FdSendEnd("fifo " + path + " (write end)", fd, maxMessageSize, () -> "fifo " + path + ": the reader closed it");
    }

    /** {@link #openSender(Path, Duration, int)} with the default maximum of 1 MiB. */
    public static Sender openSender(Path path, Duration timeout) throws IpcException, InterruptedIOException {
        return openSender(path, timeout, Framing.DEFAULT_MAX_FRAME);
    }
}
