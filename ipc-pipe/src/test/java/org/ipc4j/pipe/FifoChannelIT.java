package org.ipc4j.pipe;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;

/**
 * The channel contract over a FIFO pair: in this JVM (both roles opened concurrently, since each open
 * waits for the other) and across two JVMs through {@code fifo:} addresses and the kit's EchoTestApp.
 */
class FifoChannelIT extends ChannelContract {

    private Path base() {
        Path base = names.uniquePath("fifo", "");
        names.deleteAfter(FifoChannel.aToB(base));
        names.deleteAfter(FifoChannel.bToA(base));
        return base;
    }

    @Override
    protected ChannelPair openPair() throws Exception {
        Path base = base();
        Duration timeout = Duration.ofSeconds(20);
        CompletableFuture<FifoChannel> b = CompletableFuture.supplyAsync(() -> {
            try {
                return FifoChannel.open(base, FifoChannel.Role.B, OpenOptions.openOrCreate(), timeout, 1 << 20);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        FifoChannel a = FifoChannel.open(base, FifoChannel.Role.A, OpenOptions.openOrCreate(), timeout, 1 << 20);
        return new ChannelPair(a, b.get(20, TimeUnit.SECONDS));
    }

    @Override
    protected Addresses remoteAddresses() {
        Path base = base();
        return new Addresses("fifo:" + base + "?role=a&timeout=30s", "fifo:" + base + "?role=b&timeout=30s");
    }

    // openLocalBeforeChild() keeps its default (false): a FIFO open is a rendezvous, so both ends must open
    // concurrently.
}
