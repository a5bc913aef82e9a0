package org.ipc4j.socket;

import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;

/** The channel contract over Unix domain stream sockets: in one JVM through a SocketServer, and across two JVMs. */
class UnixSocketChannelIT extends ChannelContract {

    @Override
    protected ChannelPair openPair() throws Exception {
        Path path = names.uniquePath("us", ".sock");
        SocketServer server = names.closeAfter(SocketServer.unix(path).open());
        StreamChannel client = StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(10));
        StreamChannel accepted = server.accept(Duration.ofSeconds(10));
        return new ChannelPair(client, accepted);
    }

    @Override
    protected Addresses remoteAddresses() {
        Path path = names.uniquePath("ux", ".sock");
        // the same address on both sides: whichever opens first listens, the other connects
        String address = "unix:" + path + "?timeout=60s";
        return new Addresses(address, address);
    }
}
