package org.ipc4j.socket;

import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;

/**
 * The channel contract with both ends point-to-point (a client from connect and the peer of acceptOne), so
 * that both receive on the caller's thread without the reactor, in one JVM. The cross-process runs of
 * {@link UnixSocketChannelIT} and {@link TcpChannelIT} already use point-to-point ends on both sides.
 */
class PointToPointChannelIT extends ChannelContract {

    @Override
    protected ChannelPair openPair() throws Exception {
        Path path = names.uniquePath("pp", ".sock");
        CompletableFuture<StreamChannel> listener = CompletableFuture.supplyAsync(() -> {
            try {
                return SocketServer.unix(path).acceptOne(Duration.ofSeconds(10));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        StreamChannel client = StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(10));
        StreamChannel accepted = listener.get(10, TimeUnit.SECONDS);
        return new ChannelPair(client, accepted);
    }

    @Override
    protected Addresses remoteAddresses() {
        return null;
    }
}
