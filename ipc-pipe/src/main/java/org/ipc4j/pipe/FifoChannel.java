package org.ipc4j.pipe;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.pipe.internal.Fifos;
import org.ipc4j.pipe.internal.FdChannel;

/**
 * A duplex message channel between two processes made of two FIFOs, one per direction. A FIFO is one-way,
 * so a channel named {@code base} uses {@code base.a2b} (role A writes, role B reads) and
 * {@code base.b2a} (role B writes, role A reads). One process opens with {@link Role#A}, the other with
 * {@link Role#B}; by address: {@code fifo:/tmp/x?role=a} and {@code fifo:/tmp/x?role=b}.
 *
 * <pre>{@code
 * try (FifoChannel ch = FifoChannel.open(Path.of("/tmp/orders"), FifoChannel.Role.A)) {
 *     ch.send("hello".getBytes(StandardCharsets.UTF_8));
 *     byte[] reply = ch.receive();
 * }
 * }</pre>
 *
 * <p><b>Opening</b> creates the two FIFOs if needed (mode 0600, see {@link OpenOptions}) and then waits
 * until the other role has opened them: role A opens {@code a2b} for writing first and role B opens it
 * for reading first, so the two never wait for each other in a cycle. The wait ends after the timeout with
 * {@link OpenTimeoutException}, or on interrupt with {@link InterruptedIOException}.
 *
 * <p><b>No queues, no helper threads</b>: the calling thread writes into and reads from the kernel pipe
 * itself, through descriptors opened with {@code O_NONBLOCK}, and waits in {@code poll(2)} slices of 50 ms.
 * So the capacity is exactly the kernel pipe's (64 KiB on Linux): {@code send} blocks while it is full
 * (backpressure), {@code send} with a timeout returns false when no room appeared in time, and
 * {@link #trySend} never blocks: a message of at most 4092 bytes is one atomic non-blocking write, a larger
 * one is written only if the pipe has room for all of it right now. Nothing of a message is written before
 * the pipe can take all of it, so a timeout, an interrupt or {@code close()} while waiting leaves nothing sent
 * (the pipe is grown with {@code F_SETPIPE_SZ} for large messages, up to {@code /proc/sys/fs/pipe-max-size}).
 * Only a message larger than the largest pipe allowed is written in parts: it waits (timeout, interrupt and
 * close honoured) for an empty pipe, then is finished however long the peer takes to read; an interrupt or
 * {@code close()} during that closes the channel, and {@code trySend} refuses such a message with
 * {@link org.ipc4j.api.MessageTooLargeException}. {@code close()} and interrupts wake
 * waiting threads within one slice. {@code close()} closes both FIFO ends: the peer receives everything sent
 * and then {@link org.ipc4j.api.PeerGoneException}. A peer that exits or is killed closes its ends in the
 * kernel, which is reported the same way.
 *
 * <p>The caller owns the channel and must close it. The FIFO names stay until {@link #unlink()}, unless the
 * options say {@link OpenOptions#unlinkOnClose(boolean) unlinkOnClose}.
 */
public final class FifoChannel implements Channel, NamedObject {

    /** Which side of the pair this process is. The two processes must take different roles. */
    public enum Role {
        /** Writes {@code base.a2b}, reads {@code base.b2a}. */
        A,
        /** Writes {@code base.b2a}, reads {@code base.a2b}. */
        B
    }

    private final Path base;
    private final boolean unlinkOnClose;
    private final FdChannel channel;

    private FifoChannel(Path base, boolean unlinkOnClose, FdChannel channel) {
        this.base = base;
        this.unlinkOnClose = unlinkOnClose;
        this.channel = channel;
    }

    /** The FIFO that role A writes and role B reads: {@code base + ".a2b"}. */
    public static Path aToB(Path base) {
        return Path.of(base.toString() + ".a2b");
    }

    /** The FIFO that role B writes and role A reads: {@code base + ".b2a"}. */
    public static Path bToA(Path base) {
        return Path.of(base.toString() + ".b2a");
    }

    /**
     * Opens (creating the FIFOs if needed, mode 0600) and waits without limit for the other role.
     * Interrupt the thread to give up.
     */
    public static FifoChannel open(Path base, Role role) throws IpcException, InterruptedIOException {
        return open(base, role, OpenOptions.openOrCreate(), null, Framing.DEFAULT_MAX_FRAME);
    }

    /**
     * Opens one role of the channel.
     *
     * @param options whether to create the FIFOs, their permissions, and whether close() unlinks them
     * @param timeout how long to wait for the other role to open, or {@code null} to wait until interrupted
     * @param maxMessageSize the largest message either side may send; both sides must agree
     * @throws OpenTimeoutException if the other role did not open within the timeout (nothing stays open)
     * @throws org.ipc4j.api.ObjectExistsException for {@code CREATE} when a FIFO already exists
     * @throws org.ipc4j.api.NoSuchObjectException for {@code OPEN} when a FIFO is missing, or a missing directory
     * @throws org.ipc4j.api.PermissionDeniedException if this process may not create or open the FIFOs
     * @throws IpcException if a path exists but is not a FIFO
     * @throws InterruptedIOException if interrupted while waiting for the other role
     */
    public static FifoChannel open(Path base, Role role, OpenOptions options, Duration timeout, int maxMessageSize)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(options, "options");
        Framing.checkMaxFrame(maxMessageSize);
        Deadline deadline = timeout == null ? Deadline.forever() : Deadline.after(timeout);
        Path a2b = aToB(base);
        Path b2a = bToA(base);
        NamedPipe.create(a2b, options);
        NamedPipe.create(b2a, options);
        Path writePath = role == Role.A ? a2b : b2a;
        Path readPath = role == Role.A ? b2a : a2b;
        int write = -1;
        int read = -1;
        try {
            // both roles open a2b first (A writing, B reading), then b2a: the opens pair up in the same order
            if (role == Role.A) {
                write = Fifos.openWriteFd(writePath, deadline);
                read = Fifos.openReadFd(readPath, deadline);
            } else {
                read = Fifos.openReadFd(readPath, deadline);
                write = Fifos.openWriteFd(writePath, deadline);
            }
        } catch (IpcException | InterruptedIOException | RuntimeException e) {
            Fifos.closeFd(write);
            Fifos.closeFd(read);
            throw e;
        }
        String name = "fifo:" + base + " (role " + role + ")";
        FdChannel engine = new FdChannel(name, read, write, maxMessageSize,
                name + ": the peer closed the FIFO " + readPath + " (it closed the channel, exited or was killed)");
        return new FifoChannel(base, options.unlinkOnClose(), engine);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // already failing; the first error is the one to report
        }
    }

    /** The base path as given; the FIFOs are {@link #aToB(Path)} and {@link #bToA(Path)} of it. */
    @Override
    public String name() {
        return base.toString();
    }

    /** Removes both FIFO names (idempotent). Refuses paths that are not FIFOs. */
    @Override
    public void unlink() throws IpcException {
        NamedPipe.unlink(aToB(base));
        NamedPipe.unlink(bToA(base));
    }

    @Override
    public void send(ByteBuffer message) throws IpcException, InterruptedIOException {
        channel.send(message);
    }

    @Override
    public boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
        return channel.send(message, timeout);
    }

    /** Sends the message if the pipe has room for all of it right now; never blocks. */
    @Override
    public boolean trySend(ByteBuffer message) throws IpcException {
        return channel.trySend(message);
    }

    @Override
    public int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
        return channel.receive(destination);
    }

    @Override
    public int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
        return channel.receive(destination, timeout);
    }

    @Override
    public int tryReceive(ByteBuffer destination) throws IpcException {
        return channel.tryReceive(destination);
    }

    @Override
    public int maxMessageSize() {
        return channel.maxMessageSize();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IpcException {
        if (!channel.isOpen()) {
            return;
        }
        channel.close();
        if (unlinkOnClose) {
            unlink();
        }
    }

    @Override
    public String toString() {
        return "FifoChannel[" + channel.name() + "]";
    }
}
