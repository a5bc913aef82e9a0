package org.ipc4j.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.Channel;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.internal.Deadline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A message channel over UDP: one message is one datagram, so boundaries are kept by the network and any
 * program that sends a datagram (socat, netcat, a C {@code sendto}) is a peer. There is no header.
 *
 * <p><b>Size.</b> A UDP datagram over IPv4 carries at most {@value #MAX_IPV4_PAYLOAD} bytes (65535 minus the
 * 20-byte IP and 8-byte UDP headers); that is the default {@link #maxMessageSize()}. Larger sends throw
 * {@link MessageTooLargeException} before anything is sent; a larger incoming datagram (from a foreign
 * peer) is dropped with a WARN log, and so is a datagram from any address other than the peer's. On loopback any size up to the maximum is sent whole; across a real
 * network a datagram above the path MTU (typically 1472 bytes of payload) is fragmented, and losing one
 * fragment loses the message, so choose a smaller maximum there.
 *
 * <p><b>What UDP does not give.</b> No delivery guarantee and no backpressure: when the receiver's socket
 * buffer is full the kernel drops datagrams, and {@code send} does not wait for the receiver (it waits only
 * for room in this host's send buffer). No close notification: a receiver cannot tell that its peer
 * closed or died (the socket is not {@code connect(2)}-ed, so ICMP errors are not reported either). Order is kept on loopback, not across a network.
 *
 * <p><b>Addressing.</b> {@link #connect(InetSocketAddress, InetSocketAddress, int)} binds a local address and
 * accepts datagrams only from the given peer. {@link #listen(InetSocketAddress, int)} binds and takes the
 * sender of the first datagram as its peer. Both bind the loopback address unless told otherwise.
 *
 * <p><b>Blocking.</b> Receive waits for a datagram; waits end on {@link #close()} (with
 * {@link EndpointClosedException}) and on interrupt (with {@link InterruptedIOException}; the socket stays
 * open). A datagram too large for the destination stays queued ({@link BufferTooSmallException}). The
 * caller owns the channel and must close it.
 */
public final class UdpChannel implements Channel {
    private static final Logger LOG = LoggerFactory.getLogger(UdpChannel.class);
    /** The largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP header). */
    public static final int MAX_IPV4_PAYLOAD = 65_507;
    /** The default maximum message: the IPv4 maximum. */
    public static final int DEFAULT_MAX_MESSAGE = MAX_IPV4_PAYLOAD;
    /** Requested socket buffer size; the kernel caps it at net.core.rmem_max / wmem_max. */
    private static final int SOCKET_BUFFER = 4 << 20;
    private static final long WAIT_SLICE_MILLIS = 100;

    private final DatagramChannel socket;
    private final Selector readSelector;
    private final Selector writeSelector;
    private final int maxMessageSize;
    private final String name;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    /** One more byte than the maximum, to recognise (and drop) an oversized datagram. */
    private final ByteBuffer pending;
    private boolean hasPending;
    private volatile SocketAddress peer;
    private volatile boolean closed;

    private UdpChannel(DatagramChannel socket, int maxMessageSize, String name, SocketAddress peer) throws IOException {
        this.socket = socket;
        this.maxMessageSize = maxMessageSize;
        this.name = name;
        this.peer = peer;
        this.pending = ByteBuffer.allocateDirect(maxMessageSize + 1);
        this.readSelector = Selector.open();
        this.writeSelector = Selector.open();
        socket.register(readSelector, SelectionKey.OP_READ);
        socket.register(writeSelector, SelectionKey.OP_WRITE);
    }

    /**
     * Binds {@code local} (port 0: any free port; null: loopback, any port) and exchanges datagrams with
     * {@code remote} only.
     *
     * @param maxMessageSize 0..{@value #MAX_IPV4_PAYLOAD}
     */
    public static UdpChannel connect(InetSocketAddress local, InetSocketAddress remote, int maxMessageSize)
            throws IpcException {
        Objects.requireNonNull(remote, "remote");
        checkMax(maxMessageSize);
        InetSocketAddress bindTo = local != null ? local : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        DatagramChannel socket = null;
        try {
            // not connect(2)-ed: the JDK skips writes of an empty buffer on a connected DatagramChannel, and an
            // empty datagram is a valid message; datagrams from other senders are filtered out instead
            socket = open(bindTo);
            return new UdpChannel(socket, maxMessageSize,
                    "udp " + text((InetSocketAddress) socket.getLocalAddress()) + " -> " + text(remote), remote);
        } catch (IOException e) {
            StreamChannel.closeQuietly(socket);
            throw new IpcException("udp://" + text(remote) + ": cannot open (local " + text(bindTo) + "): " + e, e);
        }
    }

    /**
     * Binds {@code local} and takes the sender of the first datagram received as the peer; from then on only
     * that peer's datagrams are received and sends go to it. Sending before the first datagram arrived
     * throws {@link IpcException} (the peer is not known yet).
     */
    public static UdpChannel listen(InetSocketAddress local, int maxMessageSize) throws IpcException {
        Objects.requireNonNull(local, "local");
        checkMax(maxMessageSize);
        DatagramChannel socket = null;
        try {
            socket = open(local);
            return new UdpChannel(socket, maxMessageSize, "udp listener " + text((InetSocketAddress) socket.getLocalAddress()), null);
        } catch (IOException e) {
            StreamChannel.closeQuietly(socket);
            throw new IpcException("udp://" + text(local) + ": cannot bind: " + e, e);
        }
    }

    private static DatagramChannel open(InetSocketAddress local) throws IOException {
        DatagramChannel socket = DatagramChannel.open();
        socket.configureBlocking(false);
        socket.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
        socket.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
        socket.bind(local);
        return socket;
    }

    private static void checkMax(int max) {
        if (max < 0 || max > MAX_IPV4_PAYLOAD) {
            throw new IllegalArgumentException("a UDP message must be 0.." + MAX_IPV4_PAYLOAD
                    + " bytes (the IPv4 datagram limit), got a maximum of " + max);
        }
    }

    static String text(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    // ------------------------------------------------------------------ sending

    @Override
    public void send(ByteBuffer message) throws IpcException, InterruptedIOException {
        send(message, Deadline.forever());
    }

    @Override
    public boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
        return send(message, Deadline.after(timeout));
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IpcException {
        try {
            return send(message, Deadline.after(Duration.ZERO));
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("a zero wait never blocks", e);
        }
    }

    private boolean send(ByteBuffer message, Deadline deadline) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(message, "message");
        if (message.remaining() > maxMessageSize) {
            throw new MessageTooLargeException(name, message.remaining(), maxMessageSize);
        }
        writeLock.lock();
        try {
            while (true) {
                ensureOpen();
                if (peer == null) {
                    throw new IpcException(name + ": no peer yet: a UDP listener learns its peer from the first"
                            + " datagram it receives");
                }
                int length = message.remaining();
                int sent;
                try {
                    // send, not write: write skips an empty buffer, while an empty datagram is a message
                    sent = socket.send(message, peer);
                } catch (PortUnreachableException e) {
                    throw peerGone(e);
                } catch (ClosedChannelException e) {
                    throw new EndpointClosedException(name);
                } catch (IOException e) {
                    throw new IpcException(name + ": send of " + length + " bytes failed: " + e, e);
                }
                // write returns 0 both for a full buffer and for a sent empty datagram; the kernel always has
                // room for a header-only datagram, so 0 for an empty message means sent
                if (sent > 0 || length == 0) {
                    return true;
                }
                if (!await(writeSelector, deadline)) {
                    return false;
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    // ------------------------------------------------------------------ receiving

    @Override
    public int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
        return receive(destination, Deadline.forever());
    }

    @Override
    public int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
        return receive(destination, Deadline.after(timeout));
    }

    @Override
    public int tryReceive(ByteBuffer destination) throws IpcException {
        try {
            return receive(destination, Deadline.after(Duration.ZERO));
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("a zero wait never blocks", e);
        }
    }

    private int receive(ByteBuffer destination, Deadline deadline) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(destination, "destination");
        readLock.lock();
        try {
            while (true) {
                ensureOpen();
                if (!hasPending && !readDatagram()) {
                    if (!await(readSelector, deadline)) {
                        return NO_MESSAGE;
                    }
                    continue;
                }
                int length = pending.remaining();
                if (length > destination.remaining()) {
                    throw new BufferTooSmallException(length, destination.remaining());
                }
                destination.put(pending);
                hasPending = false;
                return length;
            }
        } finally {
            readLock.unlock();
        }
    }

    /** Reads one datagram into {@link #pending} if one is there; drops oversized ones. */
    private boolean readDatagram() throws IpcException {
        while (true) {
            pending.clear();
            SocketAddress from;
            try {
                from = socket.receive(pending);
            } catch (PortUnreachableException e) {
                throw peerGone(e);
            } catch (ClosedChannelException e) {
                throw new EndpointClosedException(name);
            } catch (IOException e) {
                throw new IpcException(name + ": receive failed: " + e, e);
            }
            if (from == null) {
                return false;
            }
            pending.flip();
            if (pending.remaining() > maxMessageSize) {
                LOG.warn("{}: dropped a datagram from {} of more than {} bytes (the maximum message)", name, from,
                        maxMessageSize);
                continue;
            }
            if (peer == null) {
                peer = from;
                LOG.debug("{}: peer is {}", name, from);
            } else if (!peer.equals(from)) {
                LOG.debug("{}: ignored a datagram from {}, which is not the peer", name, from);
                continue;
            }
            hasPending = true;
            return true;
        }
    }

    private PeerGoneException peerGone(IOException e) {
        return new PeerGoneException(name + ": nobody receives at " + peer
                + " (ICMP port unreachable after an earlier send)", e);
    }

    private boolean await(Selector selector, Deadline deadline) throws IpcException, InterruptedIOException {
        long nanos = deadline.remainingNanos();
        if (nanos <= 0) {
            return false;
        }
        if (Thread.currentThread().isInterrupted()) {
            throw StreamChannel.interrupted(name);
        }
        try {
            selector.select(Math.max(1, Math.min(WAIT_SLICE_MILLIS, nanos / 1_000_000)));
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new EndpointClosedException(name);
        } catch (IOException e) {
            throw new IpcException(name + ": select failed: " + e, e);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw StreamChannel.interrupted(name);
        }
        return true;
    }

    private void ensureOpen() throws EndpointClosedException {
        if (closed) {
            throw new EndpointClosedException(name);
        }
    }

    @Override
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** The local address (with the port the system chose, if port 0 was given). */
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) socket.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** The peer, or null for a listener that has not received a datagram yet. */
    public SocketAddress remoteAddress() {
        return peer;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /** Closes the socket and wakes waiting threads with {@link EndpointClosedException}. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        readSelector.wakeup();
        writeSelector.wakeup();
        StreamChannel.closeQuietly(readSelector);
        StreamChannel.closeQuietly(writeSelector);
        StreamChannel.closeQuietly(socket);
    }

    @Override
    public String toString() {
        return "UdpChannel[" + name + (closed ? ", closed" : "") + "]";
    }
}
