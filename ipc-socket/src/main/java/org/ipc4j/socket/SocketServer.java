package org.ipc4j.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.Endpoint;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.Role;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.LazyLog;
import org.ipc4j.socket.internal.Reactor;
import org.ipc4j.socket.internal.UnixSocketFiles;

/**
 * A stream socket server (Unix domain or TCP) that accepts many clients, each a {@link StreamChannel}. One
 * reactor thread with a {@link java.nio.channels.Selector} accepts, reads and writes for all clients: an
 * idle client costs no thread.
 *
 * <p>Two ways to serve clients:
 * <ul>
 *   <li>Without a {@link Handler}: {@link #accept(Duration)} hands out each new client; the application
 *       calls {@code receive}/{@code send} on it (and owns and closes it).</li>
 *   <li>With a {@link Handler}: the reactor thread calls {@code onConnect}, {@code onMessage} and
 *       {@code onDisconnect}; the handler must not block (use {@code trySend} or {@link #broadcast}).
 *       The server owns these clients and closes them.</li>
 * </ul>
 *
 * <p><b>Safe by default.</b> A TCP server given only a port binds the loopback address. A Unix socket file
 * is owner-only (0600) from the moment it exists (bound in a private directory and renamed into place, see
 * docs/sockets.md); a stale file left by a dead server is replaced, a live server's file is never taken over
 * ({@link org.ipc4j.api.ObjectExistsException}). {@link Builder#sameUserOnly(boolean)} admits only clients
 * running as this process's user; {@link Builder#authkey(byte[])} admits only clients that know a shared key
 * (the authkey handshake of Python's {@code multiprocessing.connection}), the guard to use on a TCP server that
 * listens beyond loopback. A client that sends a malformed frame (garbage or oversized length
 * prefix, a stream that ends inside a frame) is disconnected with the reason logged at WARN; a client that
 * cannot keep up with {@link #broadcast} beyond its buffer is disconnected too; nothing grows without bound.
 *
 * <p>{@link #close()} stops accepting, closes every client (flushing what is queued, briefly) and removes
 * the Unix socket file if it is still this server's. The reactor is a daemon thread: a {@code main} that only
 * serves waits in {@link #awaitClose()} until something (a handler, another thread, a shutdown hook) closes
 * the server.
 */
public final class SocketServer implements Endpoint {
    private static final LazyLog LOG = new LazyLog(SocketServer.class);
    /** Default limit on connected clients. */
    public static final int DEFAULT_MAX_CLIENTS = 1024;
    /** With an authkey: the most clients in the handshake at once; more are refused (logged) until one is done. */
    public static final int MAX_PENDING_HANDSHAKES = 64;

    /**
     * Callbacks of a server, called on its reactor thread, one at a time. They must not block: a blocking
     * call stalls every client of the server. The {@code message} buffer is valid only during the call.
     */
    public interface Handler {
        /** A client connected. */
        default void onConnect(StreamChannel client) {
        }

        /** A whole message arrived from {@code client}; read-only, valid only during the call. */
        void onMessage(StreamChannel client, ByteBuffer message);

        /**
         * The client went away or was disconnected; {@code reason} is null for an orderly close by the client,
         * otherwise what went wrong (a malformed frame, a reset, a slow consumer). By then the client is no
         * longer among {@link SocketServer#clients()} and a {@link SocketServer#broadcast} does not reach it.
         */
        default void onDisconnect(StreamChannel client, IpcException reason) {
        }
    }

    /** Options of a server; {@link #open()} binds and starts it. */
    public static final class Builder {
        private final SocketAddress address;
        private int maxMessageSize = Framing.DEFAULT_MAX_FRAME;
        private int bufferSize = StreamChannel.DEFAULT_BUFFER_SIZE;
        private int maxClients = DEFAULT_MAX_CLIENTS;
        private int backlog = 128;
        private int permissions = 0600;
        private boolean sameUserOnly;
        private byte[] authkey;
        private Handler handler;

        private Builder(SocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
        }

        /** The largest message per frame, both directions (default 1 MiB); larger prefixes disconnect the client. */
        public Builder maxMessageSize(int bytes) {
            this.maxMessageSize = Framing.checkMaxFrame(bytes);
            return this;
        }

        /** Bytes queued per client and direction (default 256 KiB). */
        public Builder bufferSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("bufferSize must be positive, got " + bytes);
            }
            this.bufferSize = bytes;
            return this;
        }

        /** Clients connected at once (default 1024); more are refused with a log line. */
        public Builder maxClients(int clients) {
            if (clients < 1) {
                throw new IllegalArgumentException("maxClients must be positive, got " + clients);
            }
            this.maxClients = clients;
            return this;
        }

        /** The listen backlog. */
        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        /** Permission bits of the Unix socket file (default 0600); e.g. 0660 lets the group connect. */
        public Builder permissions(int bits) {
            UnixSocketFiles.permissions(bits);
            this.permissions = bits;
            return this;
        }

        /** Admit only Unix socket clients whose effective user is this process's (checked with SO_PEERCRED). */
        public Builder sameUserOnly(boolean only) {
            this.sameUserOnly = only;
            return this;
        }

        /**
         * Admits only clients that pass the authkey handshake of Python's {@code multiprocessing.connection} with
         * {@code key}: a Python {@code Client(address, authkey=key)} or an ipc4j channel opened with the same
         * {@link StreamChannel.Opener#authkey(byte[])}. Each new client is challenged, and then challenges the
         * server, on a handshake thread of this server (at most {@value SocketServer#MAX_PENDING_HANDSHAKES} at
         * once, each limited to 10 s) before it becomes a client: until then it is not among {@link #clients()},
         * gets no broadcast and reaches no handler. A client that fails is disconnected and logged at WARN. This
         * is the recommended guard for a TCP server that listens beyond the loopback address. The array is copied.
         *
         * @param key the shared secret, at least one byte; {@code null} turns authentication off (the default)
         * @return this builder
         * @throws IllegalArgumentException if {@code key} is empty
         */
        public Builder authkey(byte[] key) {
            this.authkey = key == null ? null : Handshake.checkKey(key);
            return this;
        }

        /** Serve clients with callbacks on the reactor thread instead of {@link SocketServer#accept}. */
        public Builder handler(Handler handler) {
            this.handler = handler;
            return this;
        }

        /**
         * Binds and starts accepting. The caller owns the server.
         *
         * @throws org.ipc4j.api.ObjectExistsException if a live server holds the Unix path or the TCP port
         * @throws org.ipc4j.api.PermissionDeniedException if the socket file may not be created
         */
        public SocketServer open() throws IpcException {
            return new SocketServer(this);
        }

        /**
         * Binds, waits for exactly one peer, stops listening (a Unix socket file is removed) and returns the
         * connection: side A of a point-to-point channel, like {@code unix:/path?role=a}. Blocks. The channel
         * receives on the caller's thread, without this module's reactor (see {@link StreamChannel}, "Threads").
         * The backlog and client limit do not apply.
         *
         * @throws org.ipc4j.api.NoSuchObjectException if no peer connected within {@code timeout}
         * @throws org.ipc4j.api.ObjectExistsException if a live listener holds the address
         * @throws InterruptedIOException if the thread is interrupted while waiting
         */
        public StreamChannel acceptOne(Duration timeout) throws IpcException, InterruptedIOException {
            return StreamChannel.at(address).role(Role.A).maxMessageSize(maxMessageSize).bufferSize(bufferSize)
                    .permissions(permissions).sameUserOnly(sameUserOnly).authkey(authkey).open(timeout);
        }
    }

    private final Builder config;
    private final ServerSocketChannel listener;
    /** The listener with its socket file and the ownership of its path (given up at close). */
    private final Rendezvous.Bound bound;
    private final Path path;
    private final UserPrincipal owner;
    private final Reactor reactor;
    private final String name;
    private final Set<StreamChannel> clients = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition clientArrived = lock.newCondition();
    private final ArrayDeque<StreamChannel> accepted = new ArrayDeque<>();
    private final Set<Handshake> handshakes = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private final CountDownLatch terminated = new CountDownLatch(1);

    /** Options for a server at a {@link UnixDomainSocketAddress} or {@link InetSocketAddress}. */
    public static Builder builder(SocketAddress address) {
        return new Builder(address);
    }

    /** A Unix domain socket server at {@code path}, with default options. */
    public static Builder unix(Path path) {
        return new Builder(UnixDomainSocketAddress.of(path));
    }

    /** A TCP server on the loopback address; port 0 lets the system choose (see {@link #localAddress()}). */
    public static Builder tcp(int port) {
        return new Builder(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    private SocketServer(Builder config) throws IpcException {
        this.config = config;
        Rendezvous.Bound bound = Rendezvous.bind(config.address, config.permissions, config.backlog);
        this.bound = bound;
        this.listener = bound.listener();
        this.path = bound.path();
        this.owner = bound.owner();
        this.name = "server " + (path != null ? "unix:" + path : Rendezvous.describe(localAddress()));
        this.reactor = new Reactor("ipc4j-" + name.replace(' ', '-'));
        try {
            listener.configureBlocking(false);
            reactor.register(listener, SelectionKey.OP_ACCEPT, key -> acceptReady());
        } catch (IOException e) {
            close();
            throw new IpcException(name + ": cannot start: " + e, e);
        }
    }

    // ------------------------------------------------------------------ reactor side

    private void acceptReady() {
        while (!closed) {
            SocketChannel socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                LOG.get().warn("{}: accept failed: {}", name, e.toString());
                return;
            }
            if (socket == null) {
                return;
            }
            admit(socket);
        }
    }

    private void admit(SocketChannel socket) {
        long n = sequence.incrementAndGet();
        try {
            socket.configureBlocking(false);
            PeerCredentials credentials = path != null ? Credentials.of(socket) : null;
            String peer = path != null ? describeUnixPeer(credentials) : Rendezvous.describe(socket.getRemoteAddress());
            if (path != null && config.sameUserOnly && (credentials == null || !credentials.user().equals(owner))) {
                LOG.get().warn("{}: refused client {} ({}): only {} may connect (sameUserOnly)", name, n, peer,
                        owner.getName());
                socket.close();
                return;
            }
            if (path == null) {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            if (config.authkey != null) {
                authenticate(socket, n, peer, credentials);
            } else {
                register(socket, n, peer, credentials);
            }
        } catch (IOException e) {
            LOG.get().warn("{}: could not set up client {}: {}", name, n, e.toString());
            Waits.closeQuietly(socket);
        }
    }

    /**
     * Runs the authkey handshake of a new client on a thread of its own (it blocks, the reactor must not), then
     * registers the client on the reactor thread; a client that fails is closed and logged.
     */
    private void authenticate(SocketChannel socket, long n, String peer, PeerCredentials credentials)
            throws IOException {
        if (handshakes.size() >= MAX_PENDING_HANDSHAKES) {
            LOG.get().warn("{}: refused client {} ({}): {} clients are in the authkey handshake already", name, n, peer,
                    handshakes.size());
            socket.close();
            return;
        }
        String who = name + " client " + n + " (" + peer + ")";
        Handshake handshake = Handshake.on(socket, config.authkey, Deadline.forever(), who);
        handshakes.add(handshake);
        Thread thread = new Thread(() -> {
            try {
                handshake.asListener();
                reactor.execute(() -> {
                    if (closed) {
                        Waits.closeQuietly(socket);
                        return;
                    }
                    try {
                        register(socket, n, peer, credentials);
                    } catch (IOException e) {
                        LOG.get().warn("{}: could not set up client {}: {}", name, n, e.toString());
                        Waits.closeQuietly(socket);
                    }
                });
                if (closed) {
                    Waits.closeQuietly(socket); // the reactor may have stopped before it ran the registration
                }
            } catch (IpcException | InterruptedIOException e) {
                if (!closed) {
                    LOG.get().warn("{}; disconnected", e.getMessage());
                }
                Waits.closeQuietly(socket);
            } finally {
                handshakes.remove(handshake);
                handshake.close();
            }
        }, "ipc4j-handshake-" + n);
        thread.setDaemon(true);
        thread.start();
    }

    /** Makes an accepted (and, with an authkey, authenticated) socket a client. On the reactor thread. */
    private void register(SocketChannel socket, long n, String peer, PeerCredentials credentials) throws IOException {
        if (clients.size() >= config.maxClients) {
            LOG.get().warn("{}: refused client {} ({}): {} clients connected, the maximum (maxClients)", name, n, peer,
                    clients.size());
            socket.close();
            return;
        }
        StreamChannel client = StreamChannel.ofServer(socket, reactor, config.maxMessageSize, config.bufferSize,
                name + " client " + n + " (" + peer + ")", this, config.handler, credentials);
        clients.add(client);
        if (config.handler != null) {
            try {
                config.handler.onConnect(client);
            } catch (RuntimeException e) {
                LOG.get().error("{}: onConnect handler failed", name, e);
            }
        } else {
            lock.lock();
            try {
                accepted.add(client);
                clientArrived.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private static String describeUnixPeer(PeerCredentials c) {
        return c == null ? "unknown peer" : "user " + c.user().getName();
    }

    void removed(StreamChannel client) {
        clients.remove(client);
        lock.lock();
        try {
            accepted.remove(client);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ API

    /**
     * Waits for the next client that this server accepted and nobody has taken yet. Only for a server without
     * a {@link Handler}. The caller owns the returned channel.
     *
     * @return the client, or null if none arrived within {@code timeout}
     * @throws EndpointClosedException if the server is closed
     * @throws InterruptedIOException if the thread is interrupted while waiting
     */
    public StreamChannel accept(Duration timeout) throws IpcException, InterruptedIOException {
        return accept(Deadline.after(timeout));
    }

    /** Waits as long as it takes for the next client. See {@link #accept(Duration)}. */
    public StreamChannel accept() throws IpcException, InterruptedIOException {
        return accept(Deadline.forever());
    }

    private StreamChannel accept(Deadline deadline) throws IpcException, InterruptedIOException {
        if (config.handler != null) {
            throw new IllegalStateException(name + ": clients go to the handler; accept() is for servers without one");
        }
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new EndpointClosedException(name);
                }
                StreamChannel next = accepted.poll();
                if (next != null) {
                    return next;
                }
                if (!Waits.await(clientArrived, deadline, name + ": accept")) {
                    return null;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends one message to every connected client without waiting. A client whose outgoing queue is over its
     * buffer size is disconnected (a slow consumer, logged), so that one stuck client neither blocks the
     * others nor makes memory grow. The message is framed once and shared.
     *
     * @return the number of clients the message was queued or written to
     * @throws org.ipc4j.api.MessageTooLargeException if it exceeds the maximum message size
     */
    public int broadcast(ByteBuffer message) throws IpcException {
        return broadcast(message, null);
    }

    /** Like {@link #broadcast(ByteBuffer)}, but not to {@code except} (e.g. the client that sent it). */
    public int broadcast(ByteBuffer message, StreamChannel except) throws IpcException {
        Objects.requireNonNull(message, "message");
        Framing.checkOutgoing(message, config.maxMessageSize, name);
        if (closed) {
            throw new EndpointClosedException(name);
        }
        ByteBuffer frame = ByteBuffer.allocate(Framing.HEADER_BYTES + message.remaining());
        Framing.putHeader(frame, message.remaining());
        frame.put(message.duplicate()).flip();
        ByteBuffer shared = frame.asReadOnlyBuffer();
        int reached = 0;
        for (StreamChannel client : clients) {
            if (client == except || !client.isOpen()) {
                continue;
            }
            if (client.offerFrame(shared.duplicate())) {
                reached++;
            } else if (client.isOpen()) {
                client.dropSlowConsumer();
            }
        }
        message.position(message.limit());
        return reached;
    }

    /** The clients connected now (a snapshot). */
    public List<StreamChannel> clients() {
        return List.copyOf(clients);
    }

    /** The bound address: for TCP with port 0, the port the system chose. For Unix, the socket path. */
    public SocketAddress localAddress() {
        if (path != null) {
            return UnixDomainSocketAddress.of(path);
        }
        try {
            return listener.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** The Unix socket file, or null for TCP. */
    public Path path() {
        return path;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Stops accepting, closes every client (queued messages are flushed for up to
     * {@value StreamChannel#CLOSE_LINGER_MILLIS} ms) and removes this server's Unix socket file. Clients handed
     * out by {@link #accept} are closed too. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            clientArrived.signalAll();
        } finally {
            lock.unlock();
        }
        bound.close(); // stops listening, removes the socket file if ours, gives up the path's lock file
        for (Handshake handshake : handshakes) {
            handshake.close(); // its thread wakes, finds the server closed and closes the socket
        }
        List<StreamChannel> closing = List.copyOf(clients);
        for (StreamChannel client : closing) {
            Waits.closeQuietly(client);
        }
        if (!reactor.inReactorThread()) {
            long end = System.nanoTime() + StreamChannel.CLOSE_LINGER_MILLIS * 1_000_000;
            while (System.nanoTime() < end && !closing.stream().allMatch(StreamChannel::isSocketClosed)) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        reactor.close();
        LOG.get().debug("{}: closed", name);
        terminated.countDown();
    }

    /**
     * Waits until this server is closed and its {@link #close()} has finished (clients closed, socket file
     * removed), by whichever thread closes it: a handler, another thread, a shutdown hook. Returns at once if
     * it is closed already. For a {@code main} that serves until told to stop:
     *
     * <pre>{@code
     * try (SocketServer server = SocketServer.unix(path).handler(handler).open()) {
     *     Runtime.getRuntime().addShutdownHook(new Thread(server::close));   // Ctrl-C, SIGTERM
     *     server.awaitClose();
     * }
     * }</pre>
     *
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt status is set
     *         again); the server stays open
     */
    public void awaitClose() throws InterruptedIOException {
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Waits.interrupted(name + ": awaitClose");
        }
    }

    /**
     * Waits at most {@code timeout} for this server to be closed; see {@link #awaitClose()}.
     *
     * @param timeout how long to wait; zero or negative only looks
     * @return true if the server is closed (and its close has finished), false if the timeout passed first
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt status is set
     *         again); the server stays open
     * @throws NullPointerException if {@code timeout} is null
     */
    public boolean awaitClose(Duration timeout) throws InterruptedIOException {
        long nanos = Deadline.after(Objects.requireNonNull(timeout, "timeout")).remainingNanos();
        try {
            return terminated.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Waits.interrupted(name + ": awaitClose");
        }
    }

    @Override
    public String toString() {
        return "SocketServer[" + name + ", " + clients.size() + " clients" + (closed ? ", closed" : "") + "]";
    }
}
