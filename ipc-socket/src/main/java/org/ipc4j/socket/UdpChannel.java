package org.ipc4j.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.internal.DuplexChannel;

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
 * sender of the first datagram as its peer. Both bind the loopback address unless told otherwise. By address,
 * {@code udp://host:port?role=a} (or {@code listen=true}) listens and anything else sends to the address: UDP
 * is not a rendezvous scheme, since a datagram socket leaves nothing for a second opener to find.
 *
 * <p><b>Blocking.</b> Receive waits for a datagram; waits end on {@link #close()} (with
 * {@link EndpointClosedException}) and on interrupt (with {@link InterruptedIOException}; the socket stays
 * open). A datagram too large for the destination stays queued ({@link BufferTooSmallException}); a
 * {@code byte[]} receive allocates the datagram's own size. A send waits only for room in this host's send
 * buffer, and close and interrupt end that wait too. The caller owns the channel and must close it.
 */
public final class UdpChannel extends DuplexChannel<UdpSender, UdpReceiver> {
    /** The largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP header). */
    public static final int MAX_IPV4_PAYLOAD = 65_507;
    /** The default maximum message: the IPv4 maximum. */
    public static final int DEFAULT_MAX_MESSAGE = MAX_IPV4_PAYLOAD;
    /** Requested socket buffer size; the kernel caps it at net.core.rmem_max / wmem_max. */
    private static final int SOCKET_BUFFER = 4 << 20;

    private final DatagramChannel socket;
    private final AtomicReference<SocketAddress> peer;
    private final String name;

    private UdpChannel(DatagramChannel socket, AtomicReference<SocketAddress> peer, int maxMessageSize, String name)
            throws IOException {
        this(socket, peer, name, new UdpSender(socket, peer, maxMessageSize, name));
    }

    private UdpChannel(DatagramChannel socket, AtomicReference<SocketAddress> peer, String name, UdpSender out)
            throws IOException {
        super(out, receiver(socket, peer, out, name));
        this.socket = socket;
        this.peer = peer;
        this.name = name;
    }

    private static UdpReceiver receiver(DatagramChannel socket, AtomicReference<SocketAddress> peer, UdpSender out,
                                        String name) throws IOException {
        try {
            return new UdpReceiver(socket, peer, out.maxMessageSize(), name);
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
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
            return new UdpChannel(socket, new AtomicReference<>(remote), maxMessageSize,
                    "udp " + text((InetSocketAddress) socket.getLocalAddress()) + " -> " + text(remote));
        } catch (IOException e) {
            Waits.closeQuietly(socket);
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
            return new UdpChannel(socket, new AtomicReference<>(), maxMessageSize,
                    "udp listener " + text((InetSocketAddress) socket.getLocalAddress()));
        } catch (IOException e) {
            Waits.closeQuietly(socket);
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

    /** An ICMP "port unreachable" a send or receive reported: nobody receives at the peer's address. */
    static PeerGoneException unreachable(String name, SocketAddress peer, PortUnreachableException e) {
        return new PeerGoneException(name + ": nobody receives at " + peer
                + " (ICMP port unreachable after an earlier send)", e);
    }

    static String text(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
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
        return peer.get();
    }

    /** After both ends were closed (waking their waiting threads with {@link EndpointClosedException}): the socket. */
    @Override
    protected void closeResources() {
        Waits.closeQuietly(socket);
    }

    @Override
    public String toString() {
        return "UdpChannel[" + name + (isOpen() ? "" : ", closed") + "]";
    }
}
