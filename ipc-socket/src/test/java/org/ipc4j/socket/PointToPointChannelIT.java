package org.ipc4j.socket;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;

/**
 * The channel contract with both ends point-to-point and opened the way two identical programs open them: the
 * same address, at the same instant, each left to find its side (one listens, one connects). Both ends receive
 * on the caller's thread, without a reactor. The cross-process runs of {@link UnixSocketChannelIT} and
 * {@link TcpChannelIT} open point-to-point ends in two JVMs.
 */
class PointToPointChannelIT extends ChannelContract {

    @Override
    protected ChannelPair openPair() throws Exception {
        Path path = names.uniquePath("pp", ".sock");
        String address = "unix:" + path + "?timeout=10s";
        CyclicBarrier start = new CyclicBarrier(2);
        CompletableFuture<Channel> one = CompletableFuture.supplyAsync(() -> open(address, start));
        CompletableFuture<Channel> two = CompletableFuture.supplyAsync(() -> open(address, start));
        return new ChannelPair(one.get(20, TimeUnit.SECONDS), two.get(20, TimeUnit.SECONDS));
    }

    private static Channel open(String address, CyclicBarrier start) {
        try {
            start.await();
            return Ipc.open(address);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected Addresses remoteAddresses() {
        return null;
    }
}
