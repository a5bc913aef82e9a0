package org.ipc4j.socket;

import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A client in a child JVM for {@link ServerClientDeathIT}: connects to the Unix socket server at
 * {@code args[0]}, says hello with its pid, prints {@value #READY}, then receives until the server goes away.
 */
public final class ServerClientTestApp {
    static final String READY = "CLIENT-READY";

    private ServerClientTestApp() {
    }

    public static void main(String[] args) throws Exception {
        try (StreamChannel channel = StreamChannel.connect(UnixDomainSocketAddress.of(Path.of(args[0])), Duration.ofSeconds(20))) {
            channel.send(("hello from " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8));
            System.out.println(READY);
            System.out.flush();
            while (true) {
                channel.receive();
            }
        }
    }
}
