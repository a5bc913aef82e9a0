package org.ipc4j.socket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The serving {@code main} of docs/sockets.md, for {@link ServerMainIT}: an echo server at {@code args[0]}
 * that a client stops by sending {@code stop}; the main waits in {@link SocketServer#awaitClose()} until then.
 */
public final class ServerMainTestApp {
    static final String READY = "SERVER-READY";

    private ServerMainTestApp() {
    }

    public static void main(String[] args) throws Exception {
        try (SocketServer server = SocketServer.unix(Path.of(args[0])).handler((client, message) -> {
            if (StandardCharsets.UTF_8.decode(message.duplicate()).toString().equals("stop")) {
                client.server().close();
                return;
            }
            try {
                client.trySend(message);
            } catch (org.ipc4j.api.IpcException e) {
                // the client is gone; onDisconnect is told
            }
        }).open()) {
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));   // Ctrl-C, SIGTERM
            System.out.println(READY);
            System.out.flush();
            server.awaitClose();                                               // serve until closed
        }
        System.out.println("server closed");
    }

    static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
