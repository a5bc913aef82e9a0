package org.ipc4j.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.Role;
import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;

/**
 * The channel contract over a FIFO pair: in this JVM (both sides opened concurrently with role auto, since
 * each open waits for the other) and across two JVMs through the same {@code fifo:} address, without a role,
 * and the kit's EchoTestApp. After every test, once the kit has closed both ends, the FIFOs and the lease
 * file must be gone: the session ended.
 */
class FifoChannelIT extends ChannelContract {

    private Path base() {
        Path base = names.uniquePath("fifo", "");
        names.deleteAfter(FifoChannel.aToB(base));
        names.deleteAfter(FifoChannel.bToA(base));
        names.deleteAfter(FifoChannel.lease(base));
        // registered last, so it runs first: before the deletions above hide a leftover
        names.onCleanup(() -> FifoRendezvousTest.assertNothingLeft(base));
        return base;
    }

    @Override
    protected ChannelPair openPair() throws Exception {
        Path base = base();
        Duration timeout = Duration.ofSeconds(20);
        CompletableFuture<FifoChannel> b = CompletableFuture.supplyAsync(() -> {
            try {
                return FifoChannel.open(base, Role.AUTO, OpenOptions.openOrCreate(), timeout, 1 << 20);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        FifoChannel a = FifoChannel.open(base, Role.AUTO, OpenOptions.openOrCreate(), timeout, 1 << 20);
        FifoChannel other = b.get(20, TimeUnit.SECONDS);
        assertThat(EnumSet.of(a.side(), other.side())).as("one side each").isEqualTo(EnumSet.of(Role.A, Role.B));
        return new ChannelPair(a, other);
    }

    @Override
    protected Addresses remoteAddresses() {
        Path base = base();
        return new Addresses("fifo:" + base + "?timeout=30s", "fifo:" + base + "?timeout=30s");
    }

    // openLocalBeforeChild() keeps its default (false): a FIFO open is a rendezvous, so both ends must open
    // concurrently.
}
