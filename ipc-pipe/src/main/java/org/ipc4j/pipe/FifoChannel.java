package org.ipc4j.pipe;

import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.Role;
import org.ipc4j.api.Sender;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.DuplexChannel;
import org.ipc4j.api.internal.SideLease;
import org.ipc4j.pipe.internal.Fd;
import org.ipc4j.pipe.internal.FdReceiveEnd;
import org.ipc4j.pipe.internal.FdSendEnd;
import org.ipc4j.pipe.internal.Fifos;

/**
 * A duplex message channel between two processes made of two FIFOs, one per direction. A FIFO is one-way,
 * so a channel named {@code base} uses {@code base.a2b} (side A writes, side B reads) and {@code base.b2a}
 * (side B writes, side A reads), plus a lease file {@code base.lease} that says which sides are taken.
 *
 * <pre>{@code
 * try (FifoChannel ch = FifoChannel.open(Path.of("/tmp/orders"), Role.AUTO)) {   // or Ipc.open("fifo:/tmp/orders")
 *     ch.send("hello".getBytes(StandardCharsets.UTF_8));
 *     byte[] reply = ch.receive();
 * }
 * }</pre>
 *
 * <p><b>Sides.</b> With {@link Role#AUTO} the first process to open takes side A and the second side B,
 * whichever starts first, so two programs that differ in nothing but the address find each other. A side is
 * held through a kernel lock on one byte of the lease file (see {@code SideLease}), which the kernel drops when
 * the holder dies: a side is never taken twice by live processes ({@link org.ipc4j.api.LimitReachedException}
 * for a third opener, or for {@link Role#A}/{@link Role#B} asked explicitly while held), and a dead holder's
 * side is free again.
 *
 * <p><b>Opening</b> takes a side, creates the two FIFOs if needed (mode 0600, see {@link OpenOptions}) and then
 * waits until the other side has opened them: side A opens {@code a2b} for writing first and side B opens it
 * for reading first, so the two never wait for each other in a cycle. The wait ends after the timeout with
 * {@link OpenTimeoutException}, or on interrupt with {@link InterruptedIOException}. A failed open gives its
 * side back and, if no partner holds the other side, ends the session as a close would (a path refused as not
 * this user's FIFO, or as existing under {@code CREATE}, is left alone).
 *
 * <p><b>Sessions.</b> When the second of the two ends closes (or the survivor of a dead partner closes), the
 * session ends: both FIFOs and the lease file are removed, and the next pair of openers starts afresh; so the
 * same two programs run again and again with no clean-up by hand. An end opened with
 * {@link OpenMode#OPEN} (FIFOs made by someone else) leaves the FIFOs in place when it ends the session.
 * {@link OpenOptions#unlinkOnClose(boolean) unlinkOnClose} removes both FIFOs when this end closes, whoever
 * still holds the other side.
 *
 * <p><b>Sending and receiving</b> happen on the calling thread, on non-blocking descriptors with
 * {@code poll(2)} slices of 50 ms (no queues, no helper threads): the capacity is exactly the kernel pipe's,
 * {@code send} blocks while it is full, the timed form returns false, {@code trySend} never blocks, and nothing
 * of a message is written before the pipe can take all of it (see {@code docs/pipes.md} for messages larger
 * than the largest pipe). {@code close()} and interrupts wake waiting threads within one slice. When the peer
 * closes, exits or is killed, this end receives everything the peer sent, then
 * {@link org.ipc4j.api.PeerGoneException} on every receive and every send; its FIFO descriptors are released
 * at that moment. The caller owns the channel and must close it.
 */
public final class FifoChannel extends DuplexChannel<Sender, Receiver> implements NamedObject {
    private final Path base;
    private final Role side;
    private final SideLease lease;
    private final boolean unlinkOnClose;
    private final boolean removeAtSessionEnd;

    private FifoChannel(Path base, Role side, SideLease lease, OpenOptions options, FdSendEnd out, FdReceiveEnd in) {
        super(out, in);
        this.base = base;
        this.side = side;
        this.lease = lease;
        this.unlinkOnClose = options.unlinkOnClose();
        this.removeAtSessionEnd = options.mode() != OpenMode.OPEN;
    }

    /** The FIFO that side A writes and side B reads: {@code base + ".a2b"}. */
    public static Path aToB(Path base) {
        return Path.of(base.toString() + ".a2b");
    }

    /** The FIFO that side B writes and side A reads: {@code base + ".b2a"}. */
    public static Path bToA(Path base) {
        return Path.of(base.toString() + ".b2a");
    }

    /** The lease file whose locks say which sides are held: {@code base + ".lease"}. */
    public static Path lease(Path base) {
        return Path.of(base.toString() + ".lease");
    }

    /**
     * Opens a side (creating the FIFOs if needed, mode 0600) and waits without limit for the other side.
     * Interrupt the thread to give up.
     */
    public static FifoChannel open(Path base, Role role) throws IpcException, InterruptedIOException {
        return open(base, role, OpenOptions.openOrCreate(), null, Framing.DEFAULT_MAX_FRAME);
    }

    /**
     * Opens a side of the channel.
     *
     * @param role {@link Role#AUTO} for the first free side, or the side to take
     * @param options whether to create the FIFOs, the permissions of the FIFOs and the lease file, and whether
     *     close() unlinks the FIFOs
     * @param timeout how long to wait for the other side to open, or {@code null} to wait until interrupted
     * @param maxMessageSize the largest message either side may send; both sides must agree
     * @throws org.ipc4j.api.LimitReachedException if the side asked for (for AUTO: both) is held by a live endpoint
     * @throws OpenTimeoutException if the other side did not open within the timeout (nothing stays open)
     * @throws org.ipc4j.api.ObjectExistsException for {@code CREATE} when a FIFO already exists
     * @throws org.ipc4j.api.NoSuchObjectException for {@code OPEN} when a FIFO is missing, or a missing directory
     * @throws org.ipc4j.api.PermissionDeniedException if this process may not create or open the FIFOs, or a
     *     FIFO belongs to another user
     * @throws IpcException if a path exists but is not a FIFO, or is a symbolic link
     * @throws InterruptedIOException if interrupted while waiting for the other side
     */
    public static FifoChannel open(Path base, Role role, OpenOptions options, Duration timeout, int maxMessageSize)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(options, "options");
        Framing.checkMaxFrame(maxMessageSize);
        Deadline deadline = timeout == null ? Deadline.forever() : Deadline.after(timeout);
        Fifos.requireSupported();
        Fifos.requireOwnLeaseFile(lease(base));
        SideLease lease = SideLease.take(lease(base), role, options.permissions(), "fifo:" + base);
        Role side = lease.side();
        Path a2b = aToB(base);
        Path b2a = bToA(base);
        Path writePath = side == Role.A ? a2b : b2a;
        Path readPath = side == Role.A ? b2a : a2b;
        boolean[] created = new boolean[2];
        boolean adopted = false;
        int write = -1;
        int read = -1;
        try {
            created[0] = NamedPipe.create(a2b, options);
            created[1] = NamedPipe.create(b2a, options);
            adopted = true; // both paths are FIFOs of this user: the session's
            // both sides open a2b first (A writing, B reading), then b2a: the opens pair up in the same order
            if (side == Role.A) {
                write = Fifos.openWriteFd(writePath, deadline);
                read = Fifos.openReadFd(readPath, deadline);
            } else {
                read = Fifos.openReadFd(readPath, deadline);
                write = Fifos.openWriteFd(writePath, deadline);
            }
            String name = "fifo:" + base + " (side " + side + ")";
            String gone = name + ": the peer (side " + side.opposite() + ") ";
            // a closing end marks its side in the lease before it lets go of the FIFOs (see closing())
            Supplier<String> how = () -> lease.partnerClosedCleanly() ? "closed its end" : "died without closing its end";
            FdSendEnd out = new FdSendEnd(name, write, maxMessageSize,
                    () -> gone + how.get() + " (nothing reads " + writePath + " any more)");
            write = -1;
            // a FIFO peer's two directions end together: once it stopped writing, nothing will read what we send
            FdReceiveEnd in = new FdReceiveEnd(name, read, maxMessageSize,
                    () -> gone + how.get() + " (nothing writes " + readPath + " any more)", null, out::peerGone);
            read = -1;
            return new FifoChannel(base, side, lease, options, out, in);
        } catch (IpcException | InterruptedIOException | RuntimeException e) {
            Fd.close(write);
            Fd.close(read);
            boolean endSession = adopted && options.mode() != OpenMode.OPEN;
            try {
                // if no partner holds the other side, this was the session's last end: remove the session's FIFOs
                // as a close would; but a path refused before it was adopted is not the session's, so then only
                // what this open created goes
                lease.close(() -> {
                    if (endSession || created[0]) {
                        NamedPipe.unlink(a2b);
                    }
                    if (endSession || created[1]) {
                        NamedPipe.unlink(b2a);
                    }
                });
            } catch (IpcException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The side this end holds: {@link Role#A} or {@link Role#B}. */
    public Role side() {
        return side;
    }

    /** The base path as given; the FIFOs are {@link #aToB(Path)} and {@link #bToA(Path)} of it. */
    @Override
    public String name() {
        return base.toString();
    }

    /**
     * Removes both FIFO names (idempotent); ends holding them keep their descriptors. Refuses paths that are not
     * FIFOs. The lease file stays until the session ends.
     */
    @Override
    public void unlink() throws IpcException {
        NamedPipe.unlink(aToB(base));
        NamedPipe.unlink(bToA(base));
    }

    /** Marks the side as closing cleanly in the lease before the FIFOs go, so the peer says "closed", not "died". */
    @Override
    protected void closing() throws IpcException {
        lease.markClosing();
    }

    /** Releases the side; the last end of the session to close removes the FIFOs and the lease file. */
    @Override
    protected void closeResources() throws IpcException {
        IpcException failure = null;
        if (unlinkOnClose) {
            try {
                unlink();
            } catch (IpcException e) {
                failure = e;
            }
        }
        try {
            lease.close(() -> {
                if (removeAtSessionEnd) {
                    unlink();
                }
            });
        } catch (IpcException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "FifoChannel[fifo:" + base + ", side " + side + (isOpen() ? "" : ", closed") + "]";
    }
}
