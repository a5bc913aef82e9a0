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
        return new Addresses("unix:" + path + "?listen=true&acceptTimeout=60s", "unix:" + path);
    }
}
