package org.ipc4j.socket;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import org.ipc4j.api.internal.ReceiveEnd;

/**
 * What both receiving ends of a {@link StreamChannel} are: a {@link ReceiveEnd} over a {@link Connection},
 * which says why no more frames can come. {@link DirectReceiver} reads the socket on the caller's thread
 * (point to point); {@link QueuedReceiver} takes frames the reactor read (a server's client).
 */
abstract class StreamReceiver extends ReceiveEnd {
    final Connection connection;
    volatile boolean closed;

    StreamReceiver(Connection connection) {
        this.connection = connection;
    }

    /** Called once before the connection registers with its reactor. */
    void start() throws IOException {
    }

    /** Called on the reactor thread when the socket is readable; only a receiver that asked for it is called. */
    void readReady(SelectionKey key) {
    }

    /** The socket was closed: release what waits on it. */
    void socketClosed() {
    }

    /** Messages received and not yet taken; for monitoring. */
    abstract int queuedMessages();

    @Override
    public int maxMessageSize() {
        return connection.maxMessageSize;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    protected String describe() {
        return connection.name;
    }
}
