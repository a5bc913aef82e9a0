package org.ipc4j.socket.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcUri;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.Role;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.socket.StreamChannel;
import org.ipc4j.socket.UdpChannel;

/**
 * Opens {@code unix:}, {@code tcp://} and {@code udp://} addresses. A stream address meets its peer by
 * {@code role} (see {@link Role}): {@code auto}, the default, listens if it is the first opener and connects
 * otherwise, so two programs that differ in nothing but the address work whichever starts first; {@code a}
 * (or {@code listen=true}) listens for one peer, {@code b} connects. UDP is not a rendezvous scheme: it binds
 * and listens with {@code role=a}, and otherwise sends to the address. The parameters are listed in
 * docs/sockets.md; a misspelt one is an {@link IllegalArgumentException} naming the accepted ones.
 */
public final class SocketTransportProvider implements org.ipc4j.api.spi.TransportProvider {
    static final String LISTEN = "listen";
    static final String BUFFER = "buffer";
    static final String SAME_USER_ONLY = "sameUserOnly";
    static final String BIND = "bind";
    static final String AUTHKEY_FILE = "authkeyFile";
    static final String AUTHKEY_ENV = "authkeyEnv";
    static final Set<String> TCP_PARAMS = Set.of(IpcUri.ROLE, LISTEN, IpcUri.MAXMSG, BUFFER, IpcUri.TIMEOUT,
            AUTHKEY_FILE, AUTHKEY_ENV);
    static final Set<String> UNIX_PARAMS = Set.of(IpcUri.ROLE, LISTEN, IpcUri.MAXMSG, BUFFER, IpcUri.TIMEOUT,
            IpcUri.PERM, SAME_USER_ONLY, AUTHKEY_FILE, AUTHKEY_ENV);
    /** The most bytes read from an {@code authkeyFile} (a key is a few dozen bytes; this is not a data file). */
    static final int MAX_AUTHKEY_BYTES = 4096;
    static final Set<String> UDP_PARAMS = Set.of(IpcUri.ROLE, LISTEN, IpcUri.MAXMSG, BIND);

    @Override
    public Set<String> schemes() {
        return Set.of("unix", "tcp", "udp");
    }

    @Override
    public Capability capability(String scheme) {
        String artifact = "org.ipc4j:ipc-socket";
        return switch (scheme) {
            case "unix" -> unixCapability(artifact);
            case "tcp" -> new Capability("tcp", "TCP socket", artifact, true, "JDK SocketChannel, length-prefixed frames");
            case "udp" -> new Capability("udp", "UDP socket", artifact, true,
                    "JDK DatagramChannel, one message per datagram (max " + UdpChannel.MAX_IPV4_PAYLOAD + " bytes)");
            default -> new Capability(scheme, "unknown", artifact, false, "not a socket scheme");
        };
    }

    private static Capability unixCapability(String artifact) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return new Capability("unix", "Unix domain socket", artifact, true,
                    "JDK SocketChannel (AF_UNIX), length-prefixed frames");
        } catch (Exception | LinkageError e) {
            return new Capability("unix", "Unix domain socket", artifact, false,
                    "AF_UNIX sockets are not available here: " + e);
        }
    }

    @Override
    public Channel openChannel(IpcUri uri) throws IpcException {
        if (uri.params().containsKey("authkey")) {
            throw new IllegalArgumentException("\"" + uri.scheme() + ":...\": authkey= is not accepted in an address,"
                    + " because addresses end up in logs, command lines and error messages; give authkeyFile=PATH (the"
                    + " file's bytes are the key) or authkeyEnv=NAME (the variable's value in UTF-8), or"
                    + " StreamChannel.at(address).authkey(key) in Java");
        }
        try {
            return switch (uri.scheme()) {
                case "unix" -> openUnix(uri.requireOnly(UNIX_PARAMS));
                case "tcp" -> openTcp(uri.requireOnly(TCP_PARAMS));
                case "udp" -> openUdp(uri.requireOnly(UDP_PARAMS));
                default -> throw new IllegalArgumentException("not a socket scheme: " + uri);
            };
        } catch (InterruptedIOException e) {
            // the interrupt status is kept
            throw new IpcException(uri + ": interrupted while waiting for the peer", e);
        }
    }

    private static Channel openUnix(IpcUri uri) throws IpcException, InterruptedIOException {
        Path path = Path.of(uri.target());
        return opener(uri, UnixDomainSocketAddress.of(path))
                .permissions(uri.openOptions(OpenMode.OPEN_OR_CREATE).permissions())
                .sameUserOnly(uri.bool(SAME_USER_ONLY, false))
                .open(uri.duration(IpcUri.TIMEOUT, StreamChannel.DEFAULT_TIMEOUT));
    }

    private static Channel openTcp(IpcUri uri) throws IpcException, InterruptedIOException {
        return opener(uri, hostPort(uri, uri.target())).open(uri.duration(IpcUri.TIMEOUT, StreamChannel.DEFAULT_TIMEOUT));
    }

    private static StreamChannel.Opener opener(IpcUri uri, SocketAddress address) throws IpcException {
        return StreamChannel.at(address).role(role(uri))
                .maxMessageSize(uri.maxMessage(Framing.DEFAULT_MAX_FRAME, Framing.ABSOLUTE_MAX_FRAME))
                .bufferSize(buffer(uri))
                .authkey(authkey(uri));
    }

    /**
     * The key named by {@code authkeyFile=} (the file's bytes, exactly) or {@code authkeyEnv=} (the variable's
     * value in UTF-8), or null. The key itself never appears in an address, nor in a message of ours.
     */
    static byte[] authkey(IpcUri uri) throws IpcException {
        String file = uri.string(AUTHKEY_FILE, null);
        String env = uri.string(AUTHKEY_ENV, null);
        if (file != null && env != null) {
            throw new IllegalArgumentException("\"" + uri + "\": give authkeyFile= or authkeyEnv=, not both");
        }
        byte[] key;
        String from;
        if (file != null) {
            from = "authkeyFile=" + file;
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                key = in.readNBytes(MAX_AUTHKEY_BYTES + 1);
            } catch (NoSuchFileException e) {
                throw new NoSuchObjectException(from + ": no such file");
            } catch (AccessDeniedException e) {
                throw new PermissionDeniedException(from + ": this process may not read it");
            } catch (IOException e) {
                throw new IpcException(from + ": cannot read the key: " + e, e);
            }
            if (key.length > MAX_AUTHKEY_BYTES) {
                throw new IllegalArgumentException(from + ": more than " + MAX_AUTHKEY_BYTES
                        + " bytes; an authkey file holds just the key");
            }
        } else if (env != null) {
            from = "authkeyEnv=" + env;
            String value = System.getenv(env);
            if (value == null) {
                throw new IllegalArgumentException(from + ": the environment variable is not set");
            }
            key = value.getBytes(StandardCharsets.UTF_8);
        } else {
            return null;
        }
        if (key.length == 0) {
            throw new IllegalArgumentException(from + ": the key is empty");
        }
        return key;
    }

    private static Channel openUdp(IpcUri uri) throws IpcException {
        InetSocketAddress target = hostPort(uri, uri.target());
        int max = uri.maxMessage(UdpChannel.DEFAULT_MAX_MESSAGE, UdpChannel.MAX_IPV4_PAYLOAD);
        if (role(uri) == Role.A) {
            if (uri.params().containsKey(BIND)) {
                throw new IllegalArgumentException("\"" + uri + "\": a listener binds the address it names; bind= is for"
                        + " the sending side");
            }
            return UdpChannel.listen(target, max);
        }
        String bind = uri.string(BIND, null);
        InetSocketAddress local = bind == null ? null : hostPort(uri, bind);
        return UdpChannel.connect(local, target, max);
    }

    /**
     * {@code role}, with {@code listen} as the older spelling of a side: {@code listen=true} is {@code role=a},
     * {@code listen=false} is {@code role=b}; both given must agree.
     */
    static Role role(IpcUri uri) {
        Role role = uri.role();
        if (!uri.params().containsKey(LISTEN)) {
            return role;
        }
        Role listen = uri.bool(LISTEN, false) ? Role.A : Role.B;
        if (uri.params().containsKey(IpcUri.ROLE) && role != listen) {
            throw new IllegalArgumentException("\"" + uri + "\": listen=" + uri.string(LISTEN, "") + " means role="
                    + listen.name().toLowerCase(java.util.Locale.ROOT) + ", which contradicts role="
                    + uri.string(IpcUri.ROLE, "") + "; give one of them");
        }
        return listen;
    }

    private static int buffer(IpcUri uri) {
        long buffer = uri.size(BUFFER, StreamChannel.DEFAULT_BUFFER_SIZE);
        if (buffer < 1 || buffer > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("\"" + uri + "\": buffer=" + buffer + " must be 1.." + Integer.MAX_VALUE);
        }
        return (int) buffer;
    }

    /**
     * {@code host:port}, {@code [v6]:port} or {@code :port}; an empty host is the loopback address, so that an
     * address never means "every interface" unless it says so ({@code 0.0.0.0}).
     */
    static InetSocketAddress hostPort(IpcUri uri, String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("\"" + uri + "\": expected host:port, got \"" + text + "\"");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + uri + "\": port \"" + text.substring(colon + 1) + "\" is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("\"" + uri + "\": port " + port + " is not 0..65535");
        }
        InetSocketAddress address = host.isEmpty()
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), port) : new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("\"" + uri + "\": unknown host \"" + host + "\"");
        }
        return address;
    }
}
