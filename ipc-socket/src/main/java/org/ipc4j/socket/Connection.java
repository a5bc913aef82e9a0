package org.ipc4j.socket;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MalformedFrameException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.internal.LazyLog;
import org.ipc4j.socket.internal.Reactor;

/**
 * One connected stream socket and what the two ends of a {@link StreamChannel} share: the lock and conditions
 * they wait on, why the connection stopped working (the peer's end, a malformed frame, a failed write), the
 * reactor registration, and the closing sequence (queued output written for a while, then the socket closed).
 * The sending end is a {@link FrameSender}; the receiving end a {@link DirectReceiver} (point to point) or a
 * {@link QueuedReceiver} (a server's client).
 */
final class Connection {
    private static final LazyLog LOG = new LazyLog(StreamChannel.class);

    final SocketChannel socket;
    final Reactor reactor;
    final String name;
    final int maxMessageSize;
    final int bufferSize;
    final SocketServer server;
    final SocketServer.Handler handler;
    final PeerCredentials credentials;

    /** Guards the state below and both ends' queues; held only briefly, never while waiting. */
    final ReentrantLock lock = new ReentrantLock();
    final Condition roomToSend = lock.newCondition();
    final Condition messageQueued = lock.newCondition();
    private final Io io = new Io();
    volatile SelectionKey key;

    boolean peerEnded;
    IpcException readFailure;
    IpcException writeFailure;
    boolean socketClosed;
    private long closeDeadlineNanos;
    private boolean disconnectReported;

    FrameSender out;
    StreamReceiver in;
    StreamChannel channel;

    Connection(SocketChannel socket, Reactor reactor, int maxMessageSize, int bufferSize, String name,
               SocketServer server, SocketServer.Handler handler, PeerCredentials credentials) {
        this.socket = socket;
        this.reactor = reactor;
        this.maxMessageSize = maxMessageSize;
        this.bufferSize = bufferSize;
        this.name = name;
        this.server = server;
        this.handler = handler;
        this.credentials = credentials;
    }

    /** Registers with the reactor, which from now on writes what the kernel did not take and may read. */
    void start(boolean readByReactor) throws IOException {
        in.start();
        key = reactor.register(socket, readByReactor ? SelectionKey.OP_READ : 0, io);
    }

    /** Why no more messages will come (malformed input, the peer's end, a lost connection), or null. Holds the lock. */
    IpcException receiveFailure() {
        if (readFailure != null) {
            return readFailure instanceof MalformedFrameException
                    ? new MalformedFrameException(readFailure.getMessage())
                    : new PeerGoneException(readFailure.getMessage(), readFailure.getCause());
        }
        if (peerEnded) {
            return new PeerGoneException(name + ": the peer closed the connection");
        }
        if (socketClosed) {
            return new PeerGoneException(name + ": the connection was closed");
        }
        return null;
    }

    /** The peer ended its stream between two frames (it closed, exited, or shut down its output). */
    void peerEnded() {
        lock.lock();
        try {
            peerEnded = true;
            messageQueued.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.get().debug("{}: the peer closed the connection", name);
    }

    /** The stream ended after {@code buffered} bytes of an unfinished frame. */
    void endedInsideFrame(int buffered) {
        fail(new MalformedFrameException(name + ": stream ended inside a frame (" + buffered
                + " bytes of an unfinished frame received)"), true);
    }

    /** The connection cannot go on: record why, wake everybody, close the socket, tell a server's handler. */
    void fail(IpcException reason, boolean warn) {
        lock.lock();
        try {
            if (readFailure == null) {
                readFailure = reason;
            }
            messageQueued.signalAll();
            roomToSend.signalAll();
        } finally {
            lock.unlock();
        }
        if (warn) {
            LOG.get().warn("{}: closing the connection: {}", name, reason.getMessage());
        } else {
            LOG.get().debug("{}: connection lost: {}", name, reason.getMessage());
        }
        closeSocket();
        reportDisconnect(reason);
    }

    /** A read failed with an I/O error: the connection is lost. */
    void readFailed(IOException e) {
        fail(new PeerGoneException(name + ": the connection was lost (" + e.getMessage() + ")", e), false);
    }

    /** For a server's client: calls the handler's onDisconnect once, and closes a channel the server owns. */
    void reportDisconnect(IpcException reason) {
        if (server == null) {
            return;
        }
        synchronized (this) {
            if (disconnectReported) {
                return;
            }
            disconnectReported = true;
        }
        if (handler != null) {
            // off the list first: a handler (or anyone it wakes) that looks at clients() or broadcasts must not
            // find the client it is being told about
            server.removed(channel);
            try {
                handler.onDisconnect(channel, reason);
            } catch (RuntimeException e) {
                LOG.get().error("{}: onDisconnect handler failed", name, e);
            }
            Waits.closeQuietly(channel);
        }
        if (reason instanceof MalformedFrameException) {
            Waits.closeQuietly(channel);
        }
    }

    /**
     * The channel was closed: queued output is still written for up to {@link StreamChannel#CLOSE_LINGER_MILLIS},
     * then the socket closes. Called once, after both ends were closed.
     */
    void closeChannel() {
        boolean flush;
        lock.lock();
        try {
            flush = out.hasQueuedOutput() && writeFailure == null && !socketClosed;
            closeDeadlineNanos = System.nanoTime() + StreamChannel.CLOSE_LINGER_MILLIS * 1_000_000;
        } finally {
            lock.unlock();
        }
        if (server != null) {
            server.removed(channel);
        }
        if (flush) {
            reactor.startTicking(io);
        } else {
            closeSocket();
        }
    }

    boolean isSocketClosed() {
        lock.lock();
        try {
            return socketClosed;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the socket now (any thread); queued output is dropped. Idempotent. */
    void closeSocket() {
        lock.lock();
        try {
            if (socketClosed) {
                return;
            }
            socketClosed = true;
            messageQueued.signalAll();
            roomToSend.signalAll();
        } finally {
            lock.unlock();
        }
        reactor.stopTicking(io);
        SelectionKey k = key;
        if (k != null) {
            k.cancel();
        }
        Waits.closeQuietly(socket);
        in.socketClosed();
        reactor.wakeup();
    }

    /** Wakes the threads waiting on {@code condition} (after the caller changed what they wait for). */
    void signalAll(Condition condition) {
        lock.lock();
        try {
            condition.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Asks the reactor to call back when {@code ops} are ready. */
    void interest(int ops) {
        SelectionKey k = key;
        if (k != null) {
            reactor.interestOr(k, ops);
        }
    }

    /** What the reactor thread does for this connection: write queued output, read for a server, enforce the linger. */
    private final class Io implements Reactor.Handler {
        @Override
        public void ready(SelectionKey k) {
            if (!k.isValid()) {
                return;
            }
            // use the key handed in: the registering thread may not have stored it in the field yet
            if (k.isWritable()) {
                out.flush(k);
            }
            if (k.isValid() && k.isReadable()) {
                in.readReady(k);
            }
        }

        @Override
        public void tick() {
            boolean done;
            lock.lock();
            try {
                done = !out.hasQueuedOutput() || System.nanoTime() - closeDeadlineNanos > 0;
                if (done && out.hasQueuedOutput()) {
                    LOG.get().warn("{}: closed with {} bytes still unsent after {} ms; dropped", name, out.queuedBytes(),
                            StreamChannel.CLOSE_LINGER_MILLIS);
                }
            } finally {
                lock.unlock();
            }
            if (done) {
                closeSocket();
            }
        }
    }
}
