package org.ipc4j.pipe.internal;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MalformedFrameException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.ReceiveEnd;
import org.ipc4j.api.internal.Receiving;
import org.ipc4j.api.internal.posix.InUseGuard;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.OsConstants;
import org.ipc4j.api.internal.posix.Scratch;

/**
 * The receiving end of a framed pipe (a FIFO, or the pipe from a child process's standard output) read by
 * the calling thread itself: no reader thread, no queue. The descriptor is non-blocking; a receive reads
 * what the pipe holds, up to {@value #CHUNK} bytes at a time, into a read buffer, and waits in
 * {@code poll(2)} slices of {@value Fd#SLICE_MILLIS} ms when it is empty, so a deadline, an interrupt or
 * {@link #close()} ends a wait within one slice.
 *
 * <p>A message is copied once, from the read buffer into the caller's destination or, for the {@code byte[]}
 * forms, into an array of exactly its size ({@link Receiving#into}). Its length prefix is checked against
 * the maximum before anything is allocated for it, and a frame too large for the read buffer is assembled
 * in an array that grows with the bytes that actually arrive, never with the announced length alone. A
 * destination too small for the next message throws {@link BufferTooSmallException} and consumes nothing.
 *
 * <p>When the writers have all closed (end of file), messages already in the pipe are still received; then
 * every receive throws {@link PeerGoneException} (naming a frame cut short, if any), the descriptor is
 * released, and the end's owner is told once through {@code onPeerGone}. A malformed length prefix ends the
 * stream the same way with {@link MalformedFrameException}.
 */
public final class FdReceiveEnd extends ReceiveEnd {
    /** Bytes read from the pipe at once; a frame of up to this size, prefix included, is copied straight out of it. */
    static final int CHUNK = 64 << 10;

    private final String name;
    private final int fd;
    /** Keeps {@link #fd} open while a receive is inside a call on it; closing it stops new receives. */
    private final InUseGuard guard;
    private final int maxMessageSize;
    private final Supplier<String> goneReason;
    private final Consumer<String> onPeerGone;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean open = true;
    /** Once nothing more can arrive: the PeerGoneException or MalformedFrameException to report. */
    private volatile IpcException end;

    /** Bytes read and not yet delivered, between position and limit; direct, so read(2) fills it in place. */
    private final ByteBuffer unread = ByteBuffer.allocateDirect(CHUNK).flip();
    private final long unreadAddress = Scratch.directAddress(unread);
    private Handshake preamble;
    /** The payload of a frame larger than the read buffer, assembled as it arrives; null if none. */
    private byte[] large;
    private int largeLength;
    private int largeFilled;

    /**
     * @param fd a non-blocking read descriptor of a pipe or FIFO, owned from now on
     * @param goneReason the text of the PeerGoneException at end of file (called once, on the receiving thread)
     * @param preamble a scan to run over the stream before its first frame, or null
     * @param onPeerGone told the reason once when end of file is seen, or null
     */
    public FdReceiveEnd(String name, int fd, int maxMessageSize, Supplier<String> goneReason, Handshake preamble,
            Consumer<String> onPeerGone) {
        this.name = Objects.requireNonNull(name, "name");
        this.maxMessageSize = Framing.checkMaxFrame(maxMessageSize);
        this.goneReason = Objects.requireNonNull(goneReason, "goneReason");
        this.preamble = preamble;
        this.onPeerGone = onPeerGone;
        this.guard = Fd.own(name, fd);
        this.fd = fd;
    }

    @Override
    protected ByteBuffer receive(ByteBuffer destination, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        if (!Fd.lock(lock, deadline, mayWait, name)) {
            return null;
        }
        try {
            while (true) {
                if (!open) {
                    throw closedException();
                }
                ByteBuffer message = nextMessage(destination);
                if (message != null) {
                    return message;
                }
                IpcException ended = end;
                if (ended != null) {
                    throw EndOfStream.copy(ended);
                }
                if (!guard.tryEnter()) {
                    continue; // closed by close() or the end of the stream: the checks above report which
                }
                try {
                    if (read()) {
                        continue;
                    }
                    if (end != null) {
                        continue;
                    }
                    if (!mayWait || deadline.hasPassed()) {
                        return null;
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedIOException("interrupted while receiving on " + name);
                    }
                    Fd.awaitSlice(fd, OsConstants.POLLIN, deadline);
                } finally {
                    guard.exit();
                }
            }
        } catch (MalformedFrameException e) {
            if (end == null) {
                end = e;
                guard.close();
            }
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** The next whole message out of the bytes read so far, or null if more are needed. */
    private ByteBuffer nextMessage(ByteBuffer destination) throws IpcException {
        if (preamble != null) {
            if (!preamble.skip(unread)) {
                return null;
            }
            preamble = null;
        }
        if (large != null) {
            return nextLarge(destination);
        }
        int available = unread.remaining();
        if (available < Framing.HEADER_BYTES) {
            return null;
        }
        int at = unread.position();
        int length = Framing.checkLength(unread.getInt(at), maxMessageSize, name);
        if (available - Framing.HEADER_BYTES >= length) {
            ByteBuffer target = Receiving.into(destination, length);
            target.put(target.position(), unread, at + Framing.HEADER_BYTES, length);
            target.position(target.position() + length);
            unread.position(at + Framing.HEADER_BYTES + length);
            return target;
        }
        if (Framing.HEADER_BYTES + length > unread.capacity()) {
            unread.position(at + Framing.HEADER_BYTES);
            large = new byte[Math.min(length, 2 * CHUNK)];
            largeLength = length;
            largeFilled = 0;
            return nextLarge(destination);
        }
        return null;
    }

    /** Moves what has arrived of a large frame into its array; the message once it is whole. */
    private ByteBuffer nextLarge(ByteBuffer destination) throws BufferTooSmallException {
        int n = Math.min(unread.remaining(), largeLength - largeFilled);
        if (n > 0) {
            if (largeFilled + n > large.length) {
                large = Arrays.copyOf(large, (int) Math.min(largeLength, Math.max(largeFilled + n, large.length * 2L)));
            }
            unread.get(large, largeFilled, n);
            largeFilled += n;
        }
        if (largeFilled < largeLength) {
            return null;
        }
        ByteBuffer target;
        if (destination == null && large.length == largeLength) {
            target = ByteBuffer.wrap(large).position(largeLength); // already exactly the message: hand it over
        } else {
            target = Receiving.into(destination, largeLength);
            target.put(large, 0, largeLength);
        }
        large = null;
        return target;
    }

    /**
     * One read(2) into the read buffer.
     *
     * @return true if bytes arrived; false if none are there now, or the stream has ended ({@link #end} set)
     */
    private boolean read() throws IpcException {
        if (unread.position() > 0) {
            unread.compact().flip();
        }
        int room = unread.capacity() - unread.limit();
        while (true) {
            long n = Libc.read(fd, unreadAddress + unread.limit(), room);
            if (n > 0) {
                unread.limit(unread.limit() + (int) n);
                return true;
            }
            if (n == 0) {
                ended(null);
                return false;
            }
            int errno = Libc.errno();
            if (errno == Errno.EAGAIN) {
                return false;
            }
            if (errno != Errno.EINTR) {
                ended(Errno.message("read", name, errno, null));
                return false;
            }
        }
    }

    /** End of file (or a read error): record what to report, release the descriptor, tell the owner. */
    private void ended(String readError) {
        String reason = readError != null ? readError : goneReason.get();
        PeerGoneException e;
        if (preamble != null) {
            preamble.ended();
            e = new PeerGoneException(reason + " (" + Handshake.NEVER_OPENED + ")");
        } else if (large != null) {
            e = EndOfStream.truncated(reason, false, largeFilled, largeLength);
        } else if (unread.remaining() >= Framing.HEADER_BYTES) {
            e = EndOfStream.truncated(reason, false, unread.remaining() - Framing.HEADER_BYTES,
                    unread.getInt(unread.position()));
        } else if (unread.hasRemaining()) {
            e = EndOfStream.truncated(reason, true, unread.remaining(), Framing.HEADER_BYTES);
        } else {
            e = new PeerGoneException(reason);
        }
        large = null;
        unread.position(unread.limit());
        end = e;
        guard.close();
        if (onPeerGone != null) {
            onPeerGone.accept(reason);
        }
    }

    @Override
    public int maxMessageSize() {
        return maxMessageSize;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    protected String describe() {
        return name;
    }

    /**
     * Closes the descriptor (at once, or when a thread still inside a receive leaves it, within one poll slice);
     * threads waiting here wake with {@link org.ipc4j.api.EndpointClosedException}. Idempotent.
     */
    @Override
    public void close() {
        open = false;
        guard.close();
    }

    @Override
    public String toString() {
        return "FdReceiveEnd[" + name + (open ? "" : ", closed") + "]";
    }
}
