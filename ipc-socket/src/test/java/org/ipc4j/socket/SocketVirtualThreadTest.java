package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Role;
import org.ipc4j.testkit.NamedObjects;
import org.ipc4j.testkit.VirtualThreadLoad;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Virtual threads receiving on a socket channel leave the carriers free: sockets are JDK channels, so this
 * checks the JDK's own support as ipc4j uses it (the receivers of one channel take turns; one waits in the
 * channel's selector). Skipped before JDK 21.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SocketVirtualThreadTest {
    private static final int RECEIVERS = 1000;
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @BeforeEach
    void needsVirtualThreads() {
        VirtualThreadLoad.assumeAvailable();
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void aThousandBlockedReceiversLeaveTheCarriersFreeAndEachGetsItsMessage(String scheme) throws Exception {
        SocketAddress address = scheme.equals("unix") ? UnixDomainSocketAddress.of(names.uniquePath("vt", ".sock"))
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), TcpChannelIT.freeTcpPort());
        CompletableFuture<StreamChannel> listener = CompletableFuture.supplyAsync(() -> {
            try {
                return StreamChannel.at(address).role(Role.A).open(PATIENCE);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        StreamChannel sender = names.closeAfter(StreamChannel.at(address).role(Role.B).open(PATIENCE));
        StreamChannel receiver = names.closeAfter(listener.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
        Set<String> received = ConcurrentHashMap.newKeySet();
        VirtualThreadLoad.Result load = VirtualThreadLoad.measure(RECEIVERS, i -> {
            byte[] m = receiver.receive(Duration.ofSeconds(60));
            if (m != null) {
                received.add(new String(m, StandardCharsets.UTF_8));
            }
        });
        try {
            System.out.println(scheme + ", " + RECEIVERS + " receivers: " + load.describe());
            assertThat(load.bestRatio()).as(load.describe()).isGreaterThanOrEqualTo(VirtualThreadLoad.MIN_RATIO);
            for (int i = 0; i < RECEIVERS; i++) {
                sender.send(("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            assertThat(load.join(Duration.ofSeconds(60))).as("every receiver returned").isTrue();
            assertThat(load.failure()).isNull();
            assertThat(received).hasSize(RECEIVERS);
        } finally {
            load.interruptAll();
        }
    }
}
