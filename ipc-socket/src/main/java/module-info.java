/** ipc4j socket: Unix domain, TCP and UDP socket channels, client and server. */
module org.ipc4j.socket {
    requires transitive org.ipc4j.api;
    requires org.slf4j;
    requires jdk.net;
    exports org.ipc4j.socket;

    provides org.ipc4j.api.spi.TransportProvider with org.ipc4j.socket.internal.SocketTransportProvider;
}
