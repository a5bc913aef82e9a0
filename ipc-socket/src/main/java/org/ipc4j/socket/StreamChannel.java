package org.ipc4j.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MalformedFrameException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.Role;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.DuplexChannel;
import org.ipc4j.socket.internal.Reactor;
import org.ipc4j.socket.internal.UnixSocketFiles;

/**
 * A message channel over a connected stream socket, Unix domain or TCP. Messages travel in the shared
 * stream framing (a 4-byte big-endian length, then the payload; see docs/framing-format.md), so any
 * program that writes {@code htonl(len)} and the bytes can talk to it.
 *
 * <p>Get one by address with {@code Ipc.open("unix:/run/app.sock")} / {@code Ipc.open("tcp://127.0.0.1:7000")}
 * (two processes opening the same address meet: the first listens, the second connects), with
 * {@link #at(SocketAddress)} for the same in Java, {@link #connect(SocketAddress, Duration)} for a client,
 * or from {@link SocketServer#accept(Duration)}. The caller owns it and must close it.
 *
 * <p><b>Authentication.</b> With {@link Opener#authkey(byte[])} (or {@code authkeyFile=} in an address) both ends
 * prove that they know a shared key before any message passes, in the handshake of Python's
 * {@code multiprocessing.connection}: a Python {@code Listener} or {@code Client} with the same {@code authkey} is a
 * peer. A peer that fails it is refused with {@link AuthenticationFailedException}.
 *
 * <p><b>Threads.</b> A send writes straight to the socket on the caller's thread when nothing is queued
 * before it; what the kernel does not take is queued (up to the buffer size) and written by a reactor thread
 * (one {@link java.nio.channels.Selector} shared by the process's point-to-point channels, one per
 * {@link SocketServer}), never by a thread per connection. Once a send has found the queue full, it stays full
 * for senders until it has drained to a quarter. How messages are received depends on where the channel came
 * from:
 * <ul>
 *   <li><b>Point to point</b> (by address, {@link #at}, {@link #connect}, {@link SocketServer.Builder#acceptOne}):
 *       the receiving thread reads the socket itself, non-blocking, and takes the frame it needs; while nothing
 *       has arrived it waits in a selector of its own. There is no hand-off between threads, and nothing is read
 *       ahead of the receiver: a sender meets backpressure as soon as the kernel buffers are full.</li>
 *   <li><b>A server's client</b> ({@link SocketServer#accept}, handlers): the server's reactor reads and
 *       decodes frames into a queue holding at most min(buffer size, 64 KiB) plus one message, then stops
 *       reading, which backs the sender up through the kernel buffers; a receiver takes messages from that
 *       queue.</li>
 * </ul>
 * One thread may send while another receives; receivers of one channel take turns, and so do senders.
 *
 * <p><b>Blocking.</b> {@link #send(ByteBuffer)} waits while the outgoing queue is full, {@link #receive(ByteBuffer)}
 * while no message has arrived; the timed forms return {@code false} / {@link #NO_MESSAGE}, the try-forms never
 * wait. Waits of senders and receivers end with {@link EndpointClosedException} when the channel is closed and
 * with {@link InterruptedIOException} (interrupt status kept) when the thread is interrupted; an interrupt never
 * closes the socket. A send is all or nothing: one that returns false or throws while it waits has sent no byte
 * of its message, so the stream stays whole frames. A {@code byte[]} receive allocates the message's own size.
 *
 * <p><b>End of the peer.</b> When the peer closes, shuts down its output or dies, the messages it completed
 * are still received, then {@link PeerGoneException}. A stream that ends inside a frame, or a length prefix
 * above {@link #maxMessageSize()}, closes the connection with {@link MalformedFrameException} (logged at
 * WARN). Sending to a peer that is gone throws {@link PeerGoneException} (over TCP the first send after the
 * peer's death may still be taken by the kernel: see docs/sockets.md).
 *
 * <p><b>Close.</b> {@link #close()} is graceful: queued outgoing messages are still flushed for up to
 * {@value #CLOSE_LINGER_MILLIS} ms by the reactor, then the socket closes. {@link #shutdownOutput()} is the
 * half-close: the peer receives everything sent, then sees the end, while this side can still receive.
 */
public final class StreamChannel extends DuplexChannel<FrameSender, StreamReceiver> {
    /** How long a closed channel keeps flushing queued messages. */
    public static final long CLOSE_LINGER_MILLIS = 2000;
    /** Default bytes queued per direction before a sender waits (or the reactor stops reading). */
    public static final int DEFAULT_BUFFER_SIZE = 256 * 1024;
    /** How long opening by address waits for the peer unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Connection connection;

    private StreamChannel(Connection connection) {
        super(connection.out, connection.in);
        this.connection = connection;
        connection.channel = this;
    }

    /** A channel whose receives read the socket on the receiving thread; the shared reactor only writes for it. */
    static StreamChannel pointToPoint(SocketChannel socket, int maxMessageSize, int bufferSize, String name,
                                      PeerCredentials credentials) throws IOException {
        Connection c = new Connection(socket, Reactor.shared(), maxMessageSize, bufferSize, name, null, null, credentials);
        c.out = new FrameSender(c);
        c.in = new DirectReceiver(c);
        StreamChannel channel = new StreamChannel(c);
        c.start(false);
        return channel;
    }

    /** A server's client: its server's reactor reads and decodes for it, and hands messages to the handler if any. */
    static StreamChannel ofServer(SocketChannel socket, Reactor reactor, int maxMessageSize, int bufferSize, String name,
                                  SocketServer server, SocketServer.Handler handler, PeerCredentials credentials)
            throws IOException {
        Connection c = new Connection(socket, reactor, maxMessageSize, bufferSize, name, server, handler, credentials);
        c.out = new FrameSender(c);
        c.in = new QueuedReceiver(c);
        StreamChannel channel = new StreamChannel(c);
        c.start(true);
        return channel;
    }

    // ------------------------------------------------------------------ opening

    /**
     * How to open a point-to-point channel at {@code address} (a {@link UnixDomainSocketAddress} or an
     * {@link InetSocketAddress}): by default {@link Role#AUTO}, 1 MiB messages, the default buffer, a 0600
     * socket file. The same as opening {@code unix:PATH} or {@code tcp://HOST:PORT} by address.
     */
    public static Opener at(SocketAddress address) {
        return new Opener(address);
    }

    /**
     * Connects to a listener with the default maximum message (1 MiB) and buffer size.
     * See {@link #connect(SocketAddress, Duration, int, int)}.
     */
    public static StreamChannel connect(SocketAddress address, Duration timeout)
            throws IpcException, InterruptedIOException {
        return at(address).role(Role.B).open(timeout);
    }

    /**
     * Connects (side B) to a listener at a {@link UnixDomainSocketAddress} or an {@link InetSocketAddress}. While
     * the address refuses connections (no listener yet, or a socket file that does not exist yet) it retries
     * until {@code timeout}, so that both sides may start in any order. Blocks the calling thread.
     *
     * @param maxMessageSize the largest message sent or accepted; both ends must agree
     * @param bufferSize bytes queued in this process before a sender waits
     * @throws NoSuchObjectException if nothing accepted connections at the address within the timeout
     * @throws PermissionDeniedException if the Unix socket file may not be opened by this user
     * @throws InterruptedIOException if the thread is interrupted while waiting
     * @throws IpcException for other failures, with the operating system's reason
     */
    public static StreamChannel connect(SocketAddress address, Duration timeout, int maxMessageSize, int bufferSize)
            throws IpcException, InterruptedIOException {
        return at(address).role(Role.B).maxMessageSize(maxMessageSize).bufferSize(bufferSize).open(timeout);
    }

    /** Options of a point-to-point channel at one address; {@link #open(Duration)} meets the peer. */
    public static final class Opener {
        final SocketAddress address;
        Role role = Role.AUTO;
        int maxMessageSize = Framing.DEFAULT_MAX_FRAME;
        int bufferSize = DEFAULT_BUFFER_SIZE;
        int permissions = OpenOptions.OWNER_ONLY;
        boolean sameUserOnly;
        byte[] authkey;

        private Opener(SocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            if (address instanceof UnixDomainSocketAddress unix) {
                UnixSocketFiles.checkLength(unix.getPath());
            } else if (!(address instanceof InetSocketAddress)) {
                throw new IllegalArgumentException("not a Unix domain or TCP address: " + address);
            }
        }

        /**
         * The side to take: {@link Role#A} listens for one peer, {@link Role#B} connects, {@link Role#AUTO} (the
         * default) listens if it is first at the address and connects otherwise.
         */
        public Opener role(Role role) {
            this.role = Objects.requireNonNull(role, "role");
            return this;
        }

        /** The largest message either way (default 1 MiB); both ends must agree. */
        public Opener maxMessageSize(int bytes) {
            this.maxMessageSize = Framing.checkMaxFrame(bytes);
            return this;
        }

        /** Bytes queued in this process before a sender waits (default 256 KiB). */
        public Opener bufferSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("bufferSize must be positive, got " + bytes);
            }
            this.bufferSize = bytes;
            return this;
        }

        /** Permission bits of the socket file while this side listens (default 0600); Unix only. */
        public Opener permissions(int bits) {
            UnixSocketFiles.permissions(bits);
            this.permissions = bits;
            return this;
        }

        /** Accept only a peer running as this process's user, whichever side it is (SO_PEERCRED); Unix only. */
        public Opener sameUserOnly(boolean only) {
            this.sameUserOnly = only;
            return this;
        }

        /**
         * Authenticates the peer with the authkey handshake of Python's {@code multiprocessing.connection}
         * before any message is exchanged: each side proves that it knows {@code key} (HMAC challenge-response,
         * the key itself never travels), so a Python {@code Listener} or {@code Client} given the same
         * {@code authkey} is a peer, and so is another ipc4j channel or {@link SocketServer} given the same key.
         * Off unless asked for; both sides must agree. A listening side refuses a peer that fails (logged at WARN)
         * and waits for the next one; a connecting side throws {@link AuthenticationFailedException}. Each
         * handshake takes at most 10 s. The array is copied. See docs/sockets.md, "Talking to Python's
         * multiprocessing".
         *
         * @param key the shared secret, at least one byte; {@code null} turns authentication off
         * @return this builder
         * @throws IllegalArgumentException if {@code key} is empty
         */
        public Opener authkey(byte[] key) {
            this.authkey = key == null ? null : Handshake.checkKey(key);
            return this;
        }

        /**
         * Meets the peer, waiting at most {@code timeout}; see docs/sockets.md for the rule. Blocks.
         *
         * @throws NoSuchObjectException if no peer came within the timeout
         * @throws ObjectExistsException for {@link Role#A} if a live listener holds the address, or if the path
         *     is not a socket
         * @throws PermissionDeniedException if the socket file may not be opened or created, or the peer is
         *     another user's and {@link #sameUserOnly(boolean)} was asked
         * @throws AuthenticationFailedException with an {@link #authkey(byte[])}: if this side connected and the
         *     handshake failed (wrong key, a peer that does not speak it), or this side listened and every peer
         *     that came within the timeout failed it
         * @throws InterruptedIOException if the thread is interrupted while waiting
         */
        public StreamChannel open(Duration timeout) throws IpcException, InterruptedIOException {
            return Rendezvous.open(this, Objects.requireNonNull(timeout, "timeout"));
        }
    }

    // ------------------------------------------------------------------ this channel

    /**
     * Half-close: after the queued messages are written, the peer sees the end of the stream (its receive
     * throws {@link PeerGoneException} once it has everything). This side can still receive. Later sends
     * throw {@link EndpointClosedException}. Idempotent.
     *
     * @throws EndpointClosedException if the channel is closed
     */
    public void shutdownOutput() throws IpcException {
        out.shutdownOutput();
    }

    /**
     * Closes both ends: waiting senders and receivers wake with {@link EndpointClosedException}; queued outgoing
     * messages are still written for up to {@value #CLOSE_LINGER_MILLIS} ms, then the socket closes.
     */
    @Override
    protected void closeResources() {
        connection.closeChannel();
    }

    /** The peer's address: a {@link UnixDomainSocketAddress} (often unnamed for a client) or an {@link InetSocketAddress}. */
    public SocketAddress remoteAddress() {
        try {
            return connection.socket.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** This end's address. */
    public SocketAddress localAddress() {
        try {
            return connection.socket.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** The peer's credentials on a Unix domain socket, read when the connection was made; empty for TCP. */
    public Optional<PeerCredentials> peerCredentials() {
        return Optional.ofNullable(connection.credentials);
    }

    /** The server that accepted this connection (for a handler to {@link SocketServer#broadcast}), or null. */
    public SocketServer server() {
        return connection.server;
    }

    /** Messages received and not yet taken by {@link #receive}; for monitoring. */
    public int queuedMessages() {
        return in.queuedMessages();
    }

    /** For a server's broadcast: queues a ready-made frame without waiting; false if this client is behind. */
    boolean offerFrame(ByteBuffer frame) {
        return out.offerFrame(frame);
    }

    /** Called by a server's broadcast when this client cannot keep up: closed so that memory stays bounded. */
    void dropSlowConsumer() {
        connection.fail(new PeerGoneException(connection.name + ": slow consumer: more than " + connection.bufferSize
                + " bytes queued for it"), true);
    }

    boolean isSocketClosed() {
        return connection.isSocketClosed();
    }

    @Override
    public String toString() {
        return "StreamChannel[" + connection.name + (isOpen() ? "" : ", closed") + "]";
    }
}
