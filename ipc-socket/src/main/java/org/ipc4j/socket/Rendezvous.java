package org.ipc4j.socket;

import org.ipc4j.api.internal.LazyLog;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.Role;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.SideLease;
import org.ipc4j.socket.internal.UnixSocketFiles;

/**
 * How a point-to-point {@link StreamChannel} meets its peer at an address, by {@link Role}:
 * <ul>
 *   <li><b>B</b> connects, retrying while nothing accepts (no socket file yet, or a refused port);</li>
 *   <li><b>A</b> binds (replacing a stale Unix socket file, never a live one), accepts exactly one peer,
 *       stops listening and removes its socket file;</li>
 *   <li><b>AUTO</b> does whichever the address needs: it tries to connect; if nothing accepts, it tries to
 *       bind; if another opener bound first (the socket file exists, the port is in use) it connects again;
 *       and so on until the timeout. Binding is exclusive (a {@code link(2)} of the socket file, a TCP bind), so
 *       of two first openers racing exactly one listens and the other connects to it.</li>
 * </ul>
 * A listener owns its Unix path through a kernel lock on the companion file {@code .NAME.lock}
 * ({@link UnixSocketFiles#takeOwnership}), held from before it publishes its socket file until that file is
 * removed. A socket file whose path nobody owns is stale (its listener died): the opener that takes the
 * ownership, and only that one, removes it, so racing openers never remove each other's files.
 */
final class Rendezvous {
    private static final LazyLog LOG = new LazyLog(StreamChannel.class);
    private static final long RETRY_MILLIS = 20;
    private static final int POINT_TO_POINT_BACKLOG = 16;

    private Rendezvous() {
    }

    /** A bound listener: its socket, and for Unix its file, the user owning it and the ownership of its path. */
    record Bound(ServerSocketChannel listener, Path path, Object fileKey, UserPrincipal owner, SideLease ownership) {
        /**
         * Stops listening, removes the socket file if it is still ours, then gives the path up (deleting its
         * lock file); idempotent.
         */
        void close() {
            Waits.closeQuietly(listener);
            if (path != null) {
                try {
                    ownership.close(() -> UnixSocketFiles.deleteIfOurs(path, fileKey));
                } catch (IpcException e) {
                    LOG.get().warn("{}: could not give up the lock file of the socket: {}", path, e.toString());
                    UnixSocketFiles.deleteIfOurs(path, fileKey);
                }
            }
        }
    }

    private enum Outcome { CONNECTED, ABSENT, REFUSED, BUSY }

    private record Attempt(Outcome outcome, SocketChannel socket, String why, UnixSocketFiles.SocketFile staleKey) {
    }

    /** Opens a point-to-point channel at {@code o.address} taking side {@code o.role}, waiting up to {@code timeout}. */
    static StreamChannel open(StreamChannel.Opener o, Duration timeout) throws IpcException, InterruptedIOException {
        Deadline deadline = Deadline.after(timeout);
        String where = describe(o.address);
        Role role = o.role;
        if (role == Role.A) {
            return acceptOne(bind(o.address, o.permissions, POINT_TO_POINT_BACKLOG), o, deadline, timeout, where);
        }
        boolean mayListen = role == Role.AUTO;
        String last = "nothing there";
        int lostBinds = 0;
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw Waits.interrupted(where + ": connect");
            }
            Attempt attempt = connect(o.address, deadline, where);
            switch (attempt.outcome) {
                case CONNECTED:
                    return connected(attempt.socket, o, deadline, where);
                case REFUSED:
                    // a stale socket file is replaced by the bind below, by whoever owns the path
                    last = attempt.why;
                    break;
                case BUSY:
                    last = attempt.why;
                    if (deadline.hasPassed()) {
                        throw noPeer(where, role, timeout, last);
                    }
                    Waits.pause(RETRY_MILLIS, deadline, where);
                    continue;
                default:
                    last = attempt.why;
                    break;
            }
            if (mayListen) {
                Bound bound;
                try {
                    bound = tryBind(o.address, o.permissions, POINT_TO_POINT_BACKLOG);
                } catch (CannotListenHere e) {
                    LOG.get().debug("{}: cannot listen here ({}); connecting only", where, e.getMessage());
                    mayListen = false;
                    bound = null;
                }
                if (bound != null) {
                    return acceptOne(bound, o, deadline, timeout, where);
                }
                // another opener bound first: connect to it at once, and only then slow down (something that
                // holds the address without accepting, such as a TCP socket that never listens, must not make
                // this a busy loop)
                if (!deadline.hasPassed()) {
                    if (++lostBinds > 1) {
                        Waits.pause(Math.min(RETRY_MILLIS, lostBinds), deadline, where);
                    }
                    continue;
                }
            }
            if (deadline.hasPassed()) {
                throw noPeer(where, role, timeout, last);
            }
            Waits.pause(RETRY_MILLIS, deadline, where);
        }
    }

    private static NoSuchObjectException noPeer(String where, Role role, Duration timeout, String last) {
        String waited = "; waited " + timeout.toMillis() + " ms";
        return switch (role) {
            case B -> new NoSuchObjectException(where + ": nothing accepts connections there (" + last + waited + ")");
            case A -> new NoSuchObjectException(where + ": no peer connected (" + last + waited + ")");
            case AUTO -> new NoSuchObjectException(where + ": no peer came (" + last + waited
                    + "; role=auto: the first opener listens, the second connects)");
        };
    }

    // ------------------------------------------------------------------ connecting

    /** One connection attempt; retries are the caller's. */
    private static Attempt connect(SocketAddress address, Deadline deadline, String where)
            throws IpcException, InterruptedIOException {
        UnixSocketFiles.SocketFile key = null;
        if (address instanceof UnixDomainSocketAddress unix) {
            key = UnixSocketFiles.socketKey(unix.getPath());
            if (key == null) {
                return new Attempt(Outcome.ABSENT, null, "no socket file", null);
            }
        }
        SocketChannel socket = null;
        try {
            socket = address instanceof UnixDomainSocketAddress
                    ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
            socket.configureBlocking(false);
            if (!socket.connect(address) && !awaitConnect(socket, deadline, where)) {
                Waits.closeQuietly(socket);
                return new Attempt(Outcome.BUSY, null, "connect did not complete", null);
            }
            if (isSelfConnected(socket)) {
                // TCP's simultaneous open: a port of the ephemeral range with nobody listening can be
                // given to our own connecting socket, which then "connects" to itself
                Waits.closeQuietly(socket);
                return new Attempt(Outcome.REFUSED, null, "connected to itself", null);
            }
            return new Attempt(Outcome.CONNECTED, socket, null, null);
        } catch (ConnectException e) {
            Waits.closeQuietly(socket);
            return new Attempt(Outcome.REFUSED, null, String.valueOf(e.getMessage()), key);
        } catch (InterruptedIOException e) {
            Waits.closeQuietly(socket);
            throw e;
        } catch (IOException e) {
            Waits.closeQuietly(socket);
            String text = String.valueOf(e.getMessage());
            if (text.contains("No such file")) {
                return new Attempt(Outcome.ABSENT, null, text, null);
            }
            if (text.contains("Resource temporarily unavailable")) {
                return new Attempt(Outcome.BUSY, null, "its listen backlog is full", null);
            }
            if (text.contains("Permission denied")) {
                throw new PermissionDeniedException(where + ": connect failed: " + text
                        + " (the socket file is owner-only unless its listener was told otherwise with perm=)");
            }
            throw new IpcException(where + ": connect failed: " + text, e);
        }
    }

    private static boolean isSelfConnected(SocketChannel socket) throws IOException {
        SocketAddress local = socket.getLocalAddress();
        return local instanceof InetSocketAddress && local.equals(socket.getRemoteAddress());
    }

    private static boolean awaitConnect(SocketChannel socket, Deadline deadline, String where) throws IOException {
        try (Selector selector = Selector.open()) {
            socket.register(selector, SelectionKey.OP_CONNECT);
            while (true) {
                if (!Waits.select(selector, deadline, where + ": connect")) {
                    return false;
                }
                if (socket.finishConnect()) {
                    for (SelectionKey k : selector.keys()) {
                        k.cancel();
                    }
                    selector.selectNow();
                    return true;
                }
            }
        }
    }

    /** Side B: the connected socket becomes the channel, once the peer is checked. */
    private static StreamChannel connected(SocketChannel socket, StreamChannel.Opener o, Deadline deadline, String where)
            throws IpcException, InterruptedIOException {
        try {
            PeerCredentials credentials = null;
            if (o.address instanceof UnixDomainSocketAddress) {
                credentials = Credentials.of(socket);
                if (o.sameUserOnly && !Credentials.isThisUser(credentials)) {
                    throw new PermissionDeniedException(where + ": the listener runs as "
                            + (credentials == null ? "an unknown user" : credentials.user().getName())
                            + ", not as this process's user (sameUserOnly)");
                }
            } else {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            if (o.authkey != null) {
                try (Handshake handshake = Handshake.on(socket, o.authkey, deadline, where)) {
                    handshake.asConnector();
                }
            }
            return StreamChannel.pointToPoint(socket, o.maxMessageSize, o.bufferSize, where + " (side b)", credentials);
        } catch (IpcException | InterruptedIOException e) {
            Waits.closeQuietly(socket);
            throw e;
        } catch (IOException e) {
            Waits.closeQuietly(socket);
            throw new IpcException(where + ": cannot set up the connection: " + e, e);
        }
    }

    // ------------------------------------------------------------------ listening

    /**
     * Binds a listener that must be the only one at the address (side A, a {@link SocketServer}): a stale Unix
     * socket file is replaced, a live one is not.
     *
     * @throws ObjectExistsException if a live listener holds the Unix path or the TCP port, or the path is
     *     not a socket
     */
    static Bound bind(SocketAddress address, int permissions, int backlog) throws IpcException {
        String where = describe(address);
        try {
            Bound bound = tryBind(address, permissions, backlog);
            if (bound != null) {
                return bound;
            }
        } catch (CannotListenHere e) {
            throw new IpcException(where + ": cannot listen: " + e.getMessage(), e);
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw new IpcException(where + ": interrupted while another opener held the lock of the path", e);
        }
        throw new ObjectExistsException(where + (address instanceof UnixDomainSocketAddress
                ? ": a live listener owns the path (it holds " + UnixSocketFiles.ownerLockFile(
                        ((UnixDomainSocketAddress) address).getPath()) + "), or another program listens there; not"
                        + " taking over a live socket (close that listener, or choose another path)"
                : ": cannot listen: the address is in use"));
    }

    /**
     * Whether something accepts connections on the Unix socket file (a live listener of a program that takes no
     * lock; the probe connection is closed at once, which that listener sees as a peer that came and went).
     */
    private static boolean accepts(UnixDomainSocketAddress address) throws IpcException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // non-blocking: a live listener with a full backlog must not hang us; "in progress" counts as live
            probe.configureBlocking(false);
            probe.connect(address);
            return true;
        } catch (ConnectException refused) {
            return false;
        } catch (IOException e) {
            String text = String.valueOf(e.getMessage());
            if (text.contains("No such file")) {
                return false; // gone meanwhile
            }
            if (text.contains("Resource temporarily unavailable")) {
                return true; // a live listener whose backlog is full
            }
            throw new IpcException(describe(address) + ": cannot probe the existing socket file: " + text, e);
        }
    }

    /** The address is not one this host can listen on (a TCP address of another machine). */
    private static final class CannotListenHere extends Exception {
        private static final long serialVersionUID = 1L;

        CannotListenHere(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Binds, unless the address is taken: then null. For a Unix path: takes the path's ownership first (null if
     * a live listener has it), then removes a stale socket file there and publishes its own.
     */
    private static Bound tryBind(SocketAddress address, int permissions, int backlog)
            throws IpcException, CannotListenHere, InterruptedIOException {
        String where = describe(address);
        ServerSocketChannel listener = null;
        SideLease ownership = null;
        try {
            if (address instanceof UnixDomainSocketAddress unix) {
                Path path = UnixSocketFiles.checkPath(unix.getPath());
                ownership = UnixSocketFiles.takeOwnership(path, where);
                if (ownership == null) {
                    return null;
                }
                UnixSocketFiles.SocketFile stale = UnixSocketFiles.socketKey(path);
                if (stale != null) {
                    // nobody owns the path, so its file is stale, unless a program that takes no lock listens
                    if (accepts(unix)) {
                        ownership.close(() -> { });
                        return null;
                    }
                    UnixSocketFiles.removeStale(path, stale);
                }
                listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                Object key = UnixSocketFiles.publish(listener, path, permissions, backlog);
                if (key == null) {
                    Waits.closeQuietly(listener);
                    ownership.close(() -> { });
                    return null;
                }
                return new Bound(listener, path, key, Files.getOwner(path, LinkOption.NOFOLLOW_LINKS), ownership);
            }
            if (!(address instanceof InetSocketAddress inet)) {
                throw new IllegalArgumentException("not a stream socket address: " + address);
            }
            InetSocketAddress at = inet.getAddress() == null && inet.getHostString().isEmpty()
                    ? new InetSocketAddress(InetAddress.getLoopbackAddress(), inet.getPort()) : inet;
            if (at.isUnresolved()) {
                throw new IllegalArgumentException(where + ": unknown host " + at.getHostString());
            }
            listener = ServerSocketChannel.open();
            // lets a new listener take the port while connections of an earlier session are in TIME_WAIT;
            // on Linux it never lets two sockets listen on one port
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            try {
                listener.bind(at, backlog);
            } catch (BindException e) {
                Waits.closeQuietly(listener);
                if (String.valueOf(e.getMessage()).contains("assign requested address")) {
                    throw new CannotListenHere(at.getHostString() + " is not an address of this host", e);
                }
                return null;
            }
            return new Bound(listener, null, null, null, null);
        } catch (IpcException | RuntimeException | CannotListenHere | InterruptedIOException e) {
            Waits.closeQuietly(listener);
            closeQuietly(ownership);
            throw e;
        } catch (IOException e) {
            Waits.closeQuietly(listener);
            closeQuietly(ownership);
            throw new IpcException(where + ": cannot listen: " + e, e);
        }
    }

    private static void closeQuietly(SideLease ownership) {
        if (ownership != null) {
            try {
                ownership.close(() -> { });
            } catch (IpcException e) {
                LOG.get().debug("could not give up {}: {}", ownership, e.toString());
            }
        }
    }

    /** Side A: waits for one peer, stops listening (removing the socket file) and returns the channel. */
    private static StreamChannel acceptOne(Bound bound, StreamChannel.Opener o, Deadline deadline, Duration timeout,
                                           String where) throws IpcException, InterruptedIOException {
        try (Selector selector = Selector.open()) {
            ServerSocketChannel listener = bound.listener;
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            AuthenticationFailedException lastRefusal = null;
            int refused = 0;
            while (true) {
                SocketChannel socket = listener.accept();
                if (socket != null) {
                    StreamChannel channel;
                    try {
                        channel = admit(socket, bound, o, deadline, where);
                    } catch (AuthenticationFailedException e) {
                        LOG.get().warn("{}; refused, waiting for the next peer", e.getMessage());
                        lastRefusal = e;
                        refused++;
                        continue;
                    }
                    if (channel != null) {
                        return channel;
                    }
                    continue;
                }
                if (!Waits.select(selector, deadline, where + ": accept")) {
                    if (lastRefusal != null) {
                        throw new AuthenticationFailedException(where + ": no peer passed the authkey handshake in "
                                + timeout.toMillis() + " ms; " + refused + " refused, the last because: "
                                + lastRefusal.getMessage());
                    }
                    throw noPeer(where, o.role, timeout, "nobody connected to our listener");
                }
            }
        } catch (IpcException | InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw new IpcException(where + ": accept failed: " + e, e);
        } finally {
            bound.close();
        }
    }

    private static StreamChannel admit(SocketChannel socket, Bound bound, StreamChannel.Opener o, Deadline deadline,
                                       String where) throws IOException {
        try {
            socket.configureBlocking(false);
            PeerCredentials credentials = bound.path != null ? Credentials.of(socket) : null;
            if (bound.path != null && o.sameUserOnly
                    && (credentials == null || !credentials.user().equals(bound.owner))) {
                LOG.get().warn("{}: refused a peer running as {} (sameUserOnly)", where,
                        credentials == null ? "an unknown user" : credentials.user().getName());
                Waits.closeQuietly(socket);
                return null;
            }
            if (bound.path == null) {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            if (o.authkey != null) {
                try (Handshake handshake = Handshake.on(socket, o.authkey, deadline, where)) {
                    handshake.asListener();
                }
            }
            // stop listening before the channel is handed out: the next opener must not find this listener
            bound.close();
            return StreamChannel.pointToPoint(socket, o.maxMessageSize, o.bufferSize, where + " (side a)", credentials);
        } catch (IOException | RuntimeException e) {
            Waits.closeQuietly(socket);
            throw e;
        }
    }

    static String describe(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress u) {
            return "unix:" + u.getPath();
        }
        if (address instanceof InetSocketAddress i) {
            return "tcp://" + i.getHostString() + ":" + i.getPort();
        }
        return String.valueOf(address);
    }
}
