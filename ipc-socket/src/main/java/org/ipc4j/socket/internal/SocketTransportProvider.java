package org.ipc4j.socket.internal;

import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcUri;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.socket.SocketServer;
import org.ipc4j.socket.StreamChannel;
import org.ipc4j.socket.UdpChannel;

/**
 * Opens {@code unix:}, {@code tcp://} and {@code udp://} addresses. Without {@code listen} an address is a
 * client that connects (waiting up to {@code connectTimeout} for the server to appear); with
 * {@code listen=true} it binds, accepts exactly one peer, stops listening and becomes that channel. Many
 * clients on one server: {@link SocketServer}. The parameters are listed in docs/sockets.md.
 */
public final class SocketTransportProvider implements org.ipc4j.api.spi.TransportProvider {
    static final Set<String> STREAM_PARAMS = Set.of("listen", "maxMessage", "buffer", "connectTimeout", "acceptTimeout");
    static final Set<String> UNIX_PARAMS = Set.of("listen", "maxMessage", "buffer", "connectTimeout", "acceptTimeout",
            "permissions", "sameUserOnly");
    static final Set<String> UDP_PARAMS = Set.of("listen", "maxMessage", "bind");
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

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
        try {
            return switch (uri.scheme()) {
                case "unix" -> openUnix(uri.requireOnly(UNIX_PARAMS));
                case "tcp" -> openTcp(uri.requireOnly(STREAM_PARAMS));
                case "udp" -> openUdp(uri.requireOnly(UDP_PARAMS));
                default -> throw new IllegalArgumentException("not a socket scheme: " + uri);
            };
        } catch (InterruptedIOException e) {
            throw new IpcException(uri + ": interrupted while opening", e);
        }
    }

    private static Channel openUnix(IpcUri uri) throws IpcException, InterruptedIOException {
        Path path = Path.of(uri.target());
        int max = maxMessage(uri, Framing.DEFAULT_MAX_FRAME);
        int buffer = buffer(uri);
        if (uri.bool("listen", false)) {
            return SocketServer.unix(path).maxMessageSize(max).bufferSize(buffer)
                    .permissions(octal(uri, uri.string("permissions", "0600")))
                    .sameUserOnly(uri.bool("sameUserOnly", false))
                    .acceptOne(uri.duration("acceptTimeout", Duration.ofDays(365_000)));
        }
        return StreamChannel.connect(UnixDomainSocketAddress.of(path), uri.duration("connectTimeout", DEFAULT_CONNECT_TIMEOUT),
                max, buffer);
    }

    private static Channel openTcp(IpcUri uri) throws IpcException, InterruptedIOException {
        InetSocketAddress address = hostPort(uri, uri.target());
        int max = maxMessage(uri, Framing.DEFAULT_MAX_FRAME);
        int buffer = buffer(uri);
        if (uri.bool("listen", false)) {
            return SocketServer.builder(address).maxMessageSize(max).bufferSize(buffer)
                    .acceptOne(uri.duration("acceptTimeout", Duration.ofDays(365_000)));
        }
        return StreamChannel.connect(address, uri.duration("connectTimeout", DEFAULT_CONNECT_TIMEOUT), max, buffer);
    }

    private static Channel openUdp(IpcUri uri) throws IpcException {
        InetSocketAddress target = hostPort(uri, uri.target());
        int max = maxMessage(uri, UdpChannel.DEFAULT_MAX_MESSAGE);
        if (uri.bool("listen", false)) {
            if (uri.params().containsKey("bind")) {
                throw new IllegalArgumentException("\"" + uri + "\": a listener binds the address it names; bind= is for clients");
            }
            return UdpChannel.listen(target, max);
        }
        String bind = uri.string("bind", null);
        InetSocketAddress local = bind == null ? null : hostPort(uri, bind);
        return UdpChannel.connect(local, target, max);
    }

    private static int maxMessage(IpcUri uri, int defaultValue) {
        long max = uri.size("maxMessage", defaultValue);
        if (max > Framing.ABSOLUTE_MAX_FRAME) {
            throw new IllegalArgumentException("\"" + uri + "\": maxMessage=" + max + " is above " + Framing.ABSOLUTE_MAX_FRAME);
        }
        return (int) max;
    }

    private static int buffer(IpcUri uri) {
        long buffer = uri.size("buffer", StreamChannel.DEFAULT_BUFFER_SIZE);
        if (buffer < 1 || buffer > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("\"" + uri + "\": buffer=" + buffer + " must be 1.." + Integer.MAX_VALUE);
        }
        return (int) buffer;
    }

    private static int octal(IpcUri uri, String text) {
        try {
            return Integer.parseInt(text, 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + uri + "\": permissions=" + text + " is not octal, e.g. 0600 or 0660");
        }
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
