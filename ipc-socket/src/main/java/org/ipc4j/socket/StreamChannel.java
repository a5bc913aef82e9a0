package org.ipc4j.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.Channel;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MalformedFrameException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.framing.FrameDecoder;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.socket.internal.Reactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A message channel over a connected stream socket, Unix domain or TCP. Messages travel in the shared
 * stream framing (a 4-byte big-endian length, then the payload; see docs/framing-format.md), so any
 * program that writes {@code htonl(len)} and the bytes can talk to it.
 *
 * <p>Get one from {@link #connect(SocketAddress, Duration)}, from {@link SocketServer#accept(Duration)},
 * or by address with {@code Ipc.open("unix:/run/app.sock")} / {@code Ipc.open("tcp://127.0.0.1:7000")}.
 * The caller owns it and must close it.
 *
 * <p><b>Threads.</b> A send writes straight to the socket on the caller's thread when nothing is queued
 * before it; what the kernel does not take is queued (up to the buffer size) and written by a reactor thread
 * (one {@link java.nio.channels.Selector} shared by the process's point-to-point channels, one per
 * {@link SocketServer}), never by a thread per connection. Once a send has found the queue full, it stays full
 * for senders until it has drained to a quarter.
 * How messages are received depends on where the channel came from:
 * <ul>
 *   <li><b>Point to point</b> ({@link #connect}, {@link SocketServer.Builder#acceptOne}, and so every channel
 *       opened by address): the receiving thread reads the socket itself, non-blocking, and decodes the frame
 *       it needs; while nothing has arrived it waits in a selector of its own. There is no hand-off between
 *       threads, so a round trip costs about what the raw socket costs. Nothing is read ahead of the
 *       receiver: a sender meets backpressure as soon as the kernel buffers are full.</li>
 *   <li><b>A server's client</b> ({@link SocketServer#accept}, handlers): the server's reactor reads and
 *       decodes frames into a queue holding at most min(buffer size, 64 KiB) plus one message, then stops
 *       reading, which backs the sender up through the kernel buffers; a receiver takes messages from that
 *       queue. This keeps an idle client free of threads and lets one thread serve many clients.</li>
 * </ul>
 * One thread may send while another receives; receivers of one channel take turns.
 *
 * <p><b>Blocking.</b> {@link #send(ByteBuffer)} waits while the outgoing queue is full, {@link #receive(ByteBuffer)}
 * while none is queued; the timed forms return {@code false} / {@link #NO_MESSAGE}, the try-forms never
 * wait. Waits end with {@link EndpointClosedException} when the channel is closed and with
 * {@link InterruptedIOException} (interrupt status kept) when the thread is interrupted; an interrupt never
 * closes the socket.
 *
 * <p><b>End of the peer.</b> When the peer closes, shuts down its output or dies, the messages it completed
 * are still received, then {@link PeerGoneException}. A stream that ends inside a frame, or a length prefix
 * above {@link #maxMessageSize()}, closes the connection with {@link MalformedFrameException} (logged at
 * WARN). Sending to a peer that is gone throws {@link PeerGoneException}.
 *
 * <p><b>Close.</b> {@link #close()} is graceful: queued outgoing messages are still flushed for up to
 * {@value #CLOSE_LINGER_MILLIS} ms by the reactor, then the socket closes. {@link #shutdownOutput()} is the
 * half-close: the peer receives everything sent, then sees the end, while this side can still receive.
 */
public final class StreamChannel implements Channel {
    private static final Logger LOG = LoggerFactory.getLogger(StreamChannel.class);
    /** How long a closed channel keeps flushing queued messages. */
    public static final long CLOSE_LINGER_MILLIS = 2000;
    /** Default bytes queued per direction before a sender waits (or the reactor stops reading). */
    public static final int DEFAULT_BUFFER_SIZE = 256 * 1024;
    private static final long CONNECT_RETRY_MILLIS = 20;
    private static final int MAX_READ_AHEAD = 64 * 1024;
    /** Bytes a point-to-point channel reads from the socket at a time. */
    private static final int DIRECT_READ_BUFFER = 64 * 1024;
    /**
     * How long a point-to-point receive polls the socket with non-blocking reads before it sleeps in its
     * selector (system property {@code org.ipc4j.socket.spinMicros}, default 0). A poll saves the wake-up when
     * the reply comes within it and a core is free; on a machine with more runnable threads than cores the
     * polling thread takes the CPU its peer needs to answer, and measured round trips got slower with every
     * microsecond of polling, so it is off unless asked for.
     */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(
            Math.max(0, Integer.getInteger("org.ipc4j.socket.spinMicros", 0)));

    private final SocketChannel socket;
    private final Reactor reactor;
    private final int maxMessageSize;
    private final int bufferSize;
    /** Bytes of decoded messages the reactor reads ahead of the receiver before it stops reading. */
    private final int readAhead;
    private final String name;
    private final SocketServer server;
    private final SocketServer.Handler handler;
    private final PeerCredentials credentials;
    private final FrameDecoder decoder;
    private final Io io = new Io();
    private volatile SelectionKey key;

    /*
     * Point-to-point mode (a client from connect, the peer of acceptOne): the receiving thread reads and decodes
     * the socket itself, so a message costs no hand-off between threads. It waits in a selector of its own,
     * never in a blocking read: a blocking JDK channel is closed by Thread.interrupt, and a selector can be
     * woken by close(). The reactor is then used only to flush output the kernel did not take at once.
     */
    private final boolean direct;
    private final ReentrantLock receiveLock = new ReentrantLock();
    private Selector readSelector;
    private ByteBuffer readBuffer;
    /** A decoded frame a too-small destination did not take; delivered by the next receive. */
    private volatile ByteBuffer pendingFrame;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition messageQueued = lock.newCondition();
    private final Condition roomToSend = lock.newCondition();
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private long inboundBytes;
    private boolean readPaused;
    private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();
    private long outboundBytes;
    /**
     * Set when a send found the queue full; cleared only when the queue has drained to a quarter. Without
     * this hysteresis a sender that was just told "full" could find room a moment later because the peer's
     * reactor was still reading ahead, although nobody receives.
     */
    private boolean sendFull;
    private final ByteBuffer header = ByteBuffer.allocate(Framing.HEADER_BYTES);
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private boolean peerEnded;
    private IpcException readFailure;
    private IpcException writeFailure;
    private boolean outputShutdown;
    private volatile boolean closed;
    private boolean socketClosed;
    private long closeDeadlineNanos;
    private boolean disconnectReported;

    StreamChannel(SocketChannel socket, Reactor reactor, int maxMessageSize, int bufferSize, String name,
                  SocketServer server, SocketServer.Handler handler, PeerCredentials credentials) {
        this(socket, reactor, maxMessageSize, bufferSize, name, server, handler, credentials, false);
    }

    StreamChannel(SocketChannel socket, Reactor reactor, int maxMessageSize, int bufferSize, String name,
                  SocketServer server, SocketServer.Handler handler, PeerCredentials credentials, boolean direct) {
        if (direct && (server != null || handler != null)) {
            throw new IllegalArgumentException("a server's client is served by the server's reactor");
        }
        this.direct = direct;
        this.socket = socket;
        this.reactor = reactor;
        this.maxMessageSize = Framing.checkMaxFrame(maxMessageSize);
        this.bufferSize = bufferSize;
        this.readAhead = Math.min(bufferSize, MAX_READ_AHEAD);
        this.name = name;
        this.server = server;
        this.handler = handler;
        this.credentials = credentials;
        this.decoder = new FrameDecoder(maxMessageSize, name);
    }

    /**
     * Registers with the reactor; after this the reactor may read. A point-to-point channel registers for
     * nothing (the reactor only writes for it, when output is queued) and gets its own read selector.
     */
    void start() throws IOException {
        if (direct) {
            readBuffer = ByteBuffer.allocateDirect(DIRECT_READ_BUFFER);
            readBuffer.flip();
            readSelector = Selector.open();
            try {
                socket.register(readSelector, SelectionKey.OP_READ);
                key = reactor.register(socket, 0, io);
            } catch (IOException | RuntimeException e) {
                closeQuietly(readSelector);
                throw e;
            }
        } else {
            key = reactor.register(socket, SelectionKey.OP_READ, io);
        }
    }

    // ------------------------------------------------------------------ connecting

    /**
     * Connects to a stream socket server with the default maximum message (1 MiB) and buffer size.
     * See {@link #connect(SocketAddress, Duration, int, int)}.
     */
    public static StreamChannel connect(SocketAddress address, Duration timeout)
            throws IpcException, InterruptedIOException {
        return connect(address, timeout, Framing.DEFAULT_MAX_FRAME, DEFAULT_BUFFER_SIZE);
    }

    /**
     * Connects to a server at a {@link UnixDomainSocketAddress} or an {@link InetSocketAddress}. While the
     * address refuses connections (no server yet, or a Unix socket file that does not exist yet) it retries
     * until {@code timeout}, so that client and server may start in any order. Blocks the calling thread. The
     * channel is point to point: its receives read the socket on the receiving thread.
     *
     * @param maxMessageSize the largest message sent or accepted; both ends must agree
     * @param bufferSize bytes queued per direction in this process before a sender waits
     * @throws NoSuchObjectException if nothing accepted connections at the address within the timeout
     * @throws PermissionDeniedException if the Unix socket file may not be opened by this user
     * @throws InterruptedIOException if the thread is interrupted while waiting
     * @throws IpcException for other failures, with the operating system's reason
     */
    public static StreamChannel connect(SocketAddress address, Duration timeout, int maxMessageSize, int bufferSize)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(address, "address");
        Framing.checkMaxFrame(maxMessageSize);
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be positive, got " + bufferSize);
        }
        Deadline deadline = Deadline.after(Objects.requireNonNull(timeout, "timeout"));
        String where = describe(address);
        IOException last = null;
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw interrupted(where + ": connect");
            }
            SocketChannel socket = null;
            try {
                socket = address instanceof UnixDomainSocketAddress
                        ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
                socket.configureBlocking(false);
                boolean connected = address instanceof UnixDomainSocketAddress u && !Files.exists(u.getPath())
                        ? fail(new ConnectException("No such file or directory"))
                        : socket.connect(address);
                if (!connected) {
                    connected = awaitConnect(socket, deadline, where);
                }
                if (!connected) {
                    socket.close();
                    throw new IpcException(where + ": connect timed out after " + timeout.toMillis() + " ms");
                }
                if (address instanceof InetSocketAddress) {
                    socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                StreamChannel channel = new StreamChannel(socket, Reactor.shared(), maxMessageSize, bufferSize,
                        "socket " + where, null, null, address instanceof UnixDomainSocketAddress
                        ? Credentials.of(socket) : null, true);
                channel.start();
                return channel;
            } catch (ConnectException e) {
                closeQuietly(socket);
                last = e;
            } catch (IOException e) {
                closeQuietly(socket);
                if (e instanceof IpcException ie) {
                    throw ie;
                }
                if (e instanceof InterruptedIOException ie) {
                    throw ie;
                }
                String text = String.valueOf(e.getMessage());
                if (text.contains("Permission denied")) {
                    throw new PermissionDeniedException(where + ": connect failed: " + text
                            + " (the socket file is owner-only unless its server was told otherwise)");
                }
                if (text.contains("No such file") || text.contains("Connection refused")) {
                    last = e;
                } else {
                    IpcException ex = new IpcException(where + ": connect failed: " + text, e);
                    throw ex;
                }
            }
            if (deadline.remainingNanos() <= 0) {
                throw new NoSuchObjectException(where + ": nothing accepts connections there ("
                        + (last == null ? "no answer" : last.getMessage()) + "; waited " + timeout.toMillis() + " ms)");
            }
            try {
                Thread.sleep(Math.max(1, Math.min(CONNECT_RETRY_MILLIS, deadline.remainingNanos() / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw interrupted(where + ": connect");
            }
        }
    }

    private static boolean fail(ConnectException e) throws ConnectException {
        throw e;
    }

    private static boolean awaitConnect(SocketChannel socket, Deadline deadline, String where) throws IOException {
        try (Selector selector = Selector.open()) {
            socket.register(selector, SelectionKey.OP_CONNECT);
            while (true) {
                long millis = deadline.isForever() ? 100 : Math.min(100, deadline.remainingNanos() / 1_000_000);
                if (millis <= 0 && deadline.hasPassed()) {
                    return false;
                }
                selector.select(Math.max(1, millis));
                if (Thread.currentThread().isInterrupted()) {
                    socket.close();
                    throw interrupted(where + ": connect");
                }
                if (socket.finishConnect()) {
                    selector.selectedKeys().clear();
                    for (SelectionKey k : selector.keys()) {
                        k.cancel();
                    }
                    selector.selectNow();
                    return true;
                }
            }
        }
    }

    static String describe(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress u) {
            return "unix:" + u.getPath();
        }
        if (address instanceof InetSocketAddress i) {
            return "tcp://" + i.getHostString() + ":" + i.getPort();
        }
        return String.valueOf(address);
    }

    // ------------------------------------------------------------------ sending

    @Override
    public void send(ByteBuffer message) throws IpcException, InterruptedIOException {
        send(message, Deadline.forever());
    }

    @Override
    public boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
        return send(message, Deadline.after(timeout));
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IpcException {
        try {
            return send(message, Deadline.after(Duration.ZERO));
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("a zero wait never blocks", e);
        }
    }

    private boolean send(ByteBuffer message, Deadline deadline) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(message, "message");
        Framing.checkOutgoing(message, maxMessageSize, name);
        lock.lock();
        try {
            while (true) {
                ensureCanSend();
                int length = message.remaining();
                if (outbound.isEmpty()) {
                    sendFull = false;
                    writeDirect(message, length);
                    return true;
                }
                if (!sendFull && outboundBytes + Framing.HEADER_BYTES + length <= bufferSize) {
                    ByteBuffer frame = ByteBuffer.allocate(Framing.HEADER_BYTES + length);
                    frame.putInt(length).put(message).flip();
                    queue(frame);
                    return true;
                }
                sendFull = true;
                if (!await(roomToSend, deadline)) {
                    return false;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a ready-made frame without waiting, for a server's broadcast. Returns false if the queue is over
     * its size (the caller decides what to do with a slow consumer); throws nothing.
     */
    boolean offerFrame(ByteBuffer frame) {
        lock.lock();
        try {
            if (closed || writeFailure != null || outputShutdown || socketClosed) {
                return false;
            }
            if (!outbound.isEmpty() && (sendFull || outboundBytes + frame.remaining() > bufferSize)) {
                sendFull = true;
                return false;
            }
            if (outbound.isEmpty()) {
                try {
                    socket.write(frame);
                } catch (IOException e) {
                    writeFailed(e);
                    return false;
                }
                if (!frame.hasRemaining()) {
                    return true;
                }
            }
            queue(frame);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void writeDirect(ByteBuffer message, int length) throws IpcException {
        header.clear();
        header.putInt(length).flip();
        gather[0] = header;
        gather[1] = message;
        try {
            while (header.hasRemaining() || message.hasRemaining()) {
                if (socket.write(gather) == 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw writeFailed(e);
        } finally {
            gather[1] = null;
        }
        if (header.hasRemaining() || message.hasRemaining()) {
            ByteBuffer rest = ByteBuffer.allocate(header.remaining() + message.remaining());
            rest.put(header).put(message).flip();
            queue(rest);
        }
    }

    private void queue(ByteBuffer frame) {
        boolean wasEmpty = outbound.isEmpty();
        outbound.add(frame);
        outboundBytes += frame.remaining();
        if (wasEmpty) {
            reactor.interestOr(key, SelectionKey.OP_WRITE);
        }
    }

    private IpcException writeFailed(IOException e) {
        if (e instanceof ClosedChannelException && closed) {
            return new EndpointClosedException(name);
        }
        if (writeFailure == null) {
            String why = e.getMessage() != null ? e.getMessage()
                    : socketClosed ? "the connection was closed" : e.getClass().getSimpleName();
            writeFailure = new PeerGoneException(name + ": the peer is gone (" + why + ")", e);
            outbound.clear();
            outboundBytes = 0;
            roomToSend.signalAll();
        }
        return new PeerGoneException(writeFailure.getMessage(), e);
    }

    private void ensureCanSend() throws IpcException {
        if (closed) {
            throw new EndpointClosedException(name);
        }
        if (writeFailure != null) {
            throw new PeerGoneException(writeFailure.getMessage(), writeFailure.getCause());
        }
        if (outputShutdown) {
            throw new EndpointClosedException(name + " (output shut down)");
        }
        if (readFailure != null && socketClosed) {
            throw new PeerGoneException(name + ": the connection was closed: " + readFailure.getMessage());
        }
    }

    // ------------------------------------------------------------------ receiving

    @Override
    public int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
        return receive(destination, Deadline.forever());
    }

    @Override
    public int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
        return receive(destination, Deadline.after(timeout));
    }

    @Override
    public int tryReceive(ByteBuffer destination) throws IpcException {
        try {
            return receive(destination, Deadline.after(Duration.ZERO));
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("a zero wait never blocks", e);
        }
    }

    private int receive(ByteBuffer destination, Deadline deadline) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(destination, "destination");
        if (handler != null) {
            throw new IllegalStateException(name + ": messages of this connection go to its server's handler");
        }
        if (direct) {
            return receiveDirect(destination, deadline);
        }
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new EndpointClosedException(name);
                }
                byte[] head = inbound.peek();
                if (head != null) {
                    if (head.length > destination.remaining()) {
                        throw new BufferTooSmallException(head.length, destination.remaining());
                    }
                    inbound.poll();
                    inboundBytes -= head.length;
                    destination.put(head);
                    if (readPaused && inboundBytes <= readAhead / 2) {
                        readPaused = false;
                        reactor.interestOr(key, SelectionKey.OP_READ);
                    }
                    return head.length;
                }
                if (readFailure != null) {
                    throw readFailure instanceof MalformedFrameException
                            ? new MalformedFrameException(readFailure.getMessage())
                            : new PeerGoneException(readFailure.getMessage(), readFailure.getCause());
                }
                if (peerEnded) {
                    throw new PeerGoneException(name + ": the peer closed the connection");
                }
                if (!await(messageQueued, deadline)) {
                    return NO_MESSAGE;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Point-to-point receive on the caller's thread: take a frame already decoded or buffered, else read the
     * socket (non-blocking), polling it briefly and then waiting in this channel's selector. Only one thread
     * receives at a time; the decoder and read buffer belong to the holder of {@link #receiveLock}.
     */
    private int receiveDirect(ByteBuffer destination, Deadline deadline) throws IpcException, InterruptedIOException {
        lockForReceive(deadline);
        if (!receiveLock.isHeldByCurrentThread()) {
            return NO_MESSAGE;
        }
        try {
            long spinUntil = 0;
            boolean spun = false;
            while (true) {
                if (closed) {
                    throw new EndpointClosedException(name);
                }
                ByteBuffer frame = nextFrame();
                if (frame != null) {
                    int length = frame.remaining();
                    if (length > destination.remaining()) {
                        throw new BufferTooSmallException(length, destination.remaining());
                    }
                    destination.put(frame);
                    pendingFrame = null;
                    return length;
                }
                IpcException failure = receiveFailure();
                if (failure != null) {
                    throw failure;
                }
                if (readSocket()) {
                    continue;
                }
                if (SPIN_NANOS > 0 && deadline.remainingNanos() > 0) {
                    long now = System.nanoTime();
                    if (!spun) {
                        spun = true;
                        spinUntil = now + SPIN_NANOS;
                    }
                    if (now - spinUntil < 0) {
                        Thread.onSpinWait();
                        continue;
                    }
                }
                if (!awaitReadable(deadline)) {
                    return NO_MESSAGE;
                }
            }
        } finally {
            receiveLock.unlock();
        }
    }

    /** Takes the receive lock within the deadline; on return the caller holds it, or the deadline passed. */
    private void lockForReceive(Deadline deadline) throws InterruptedIOException {
        if (receiveLock.tryLock()) {
            return;
        }
        try {
            if (deadline.isForever()) {
                receiveLock.lockInterruptibly();
            } else {
                long nanos = deadline.remainingNanos();
                if (nanos > 0) {
                    receiveLock.tryLock(nanos, TimeUnit.NANOSECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(name);
        }
    }

    /** The frame a too-small destination left, or the next whole frame in the bytes read; null if none. */
    private ByteBuffer nextFrame() throws IpcException {
        if (pendingFrame != null) {
            return pendingFrame;
        }
        if (!readBuffer.hasRemaining()) {
            return null;
        }
        try {
            // the decoder copies every byte it consumes, so its frame stays valid while readBuffer is refilled
            pendingFrame = decoder.next(readBuffer);
        } catch (MalformedFrameException e) {
            readBuffer.position(readBuffer.limit());
            failConnection(e, true);
            throw new MalformedFrameException(e.getMessage());
        }
        return pendingFrame;
    }

    /** Why no more messages will come (malformed input, the peer's end, a lost connection), or null. */
    private IpcException receiveFailure() {
        lock.lock();
        try {
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
        } finally {
            lock.unlock();
        }
    }

    /**
     * One non-blocking read into the (consumed) read buffer. Returns whether bytes arrived; the end of the stream
     * or a failed read is recorded for {@link #receiveFailure()}, which the caller checks next.
     */
    private boolean readSocket() throws EndpointClosedException {
        readBuffer.clear();
        int n;
        try {
            n = socket.read(readBuffer);
        } catch (IOException e) {
            readBuffer.limit(0);
            if (closed) {
                throw new EndpointClosedException(name);
            }
            failConnection(new PeerGoneException(name + ": the connection was lost (" + e.getMessage() + ")", e),
                    false);
            return false;
        }
        readBuffer.flip();
        if (n > 0) {
            return true;
        }
        if (n < 0) {
            if (decoder.inFrame()) {
                failConnection(new MalformedFrameException(name + ": stream ended inside a frame ("
                        + decoder.bufferedBytes() + " bytes of an unfinished frame received)"), true);
            } else {
                lock.lock();
                try {
                    peerEnded = true;
                } finally {
                    lock.unlock();
                }
                LOG.debug("{}: the peer closed the connection", name);
            }
        }
        return false;
    }

    /**
     * Waits in this channel's selector until the socket is readable, the deadline passes (false), close() wakes
     * it, or the thread is interrupted. An interrupt makes the selector return at once, and, unlike a blocking
     * read, leaves the socket open.
     */
    private boolean awaitReadable(Deadline deadline) throws InterruptedIOException {
        long nanos = deadline.remainingNanos();
        if (nanos <= 0) {
            return false; // before the interrupt check: a try-form never waits, so it is never interrupted
        }
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(name);
        }
        try {
            if (deadline.isForever()) {
                readSelector.select();
            } else {
                readSelector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999)));
            }
            readSelector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            return true; // closed concurrently: the caller's loop reports why
        } catch (IOException e) {
            LOG.debug("{}: select failed: {}", name, e.toString());
            return true; // the next read reports the socket's state
        }
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(name);
        }
        return true;
    }

    private boolean await(Condition condition, Deadline deadline) throws InterruptedIOException {
        long nanos = deadline.remainingNanos();
        if (nanos <= 0) {
            return false;
        }
        try {
            if (deadline.isForever()) {
                condition.await();
            } else {
                condition.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(name);
        }
        return true;
    }

    static InterruptedIOException interrupted(String where) {
        return new InterruptedIOException(where + ": interrupted while waiting");
    }

    @Override
    public int maxMessageSize() {
        return maxMessageSize;
    }

    // ------------------------------------------------------------------ closing

    /**
     * Half-close: after the queued messages are written, the peer sees the end of the stream (its receive
     * throws {@link PeerGoneException} once it has everything). This side can still receive. Later sends
     * throw {@link EndpointClosedException}. Idempotent.
     *
     * @throws EndpointClosedException if the channel is closed
     */
    public void shutdownOutput() throws IpcException {
        lock.lock();
        try {
            if (closed) {
                throw new EndpointClosedException(name);
            }
            if (outputShutdown) {
                return;
            }
            outputShutdown = true;
            if (outbound.isEmpty()) {
                shutdownSocketOutput();
            }
        } finally {
            lock.unlock();
        }
    }

    private void shutdownSocketOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            LOG.debug("{}: shutdownOutput failed: {}", name, e.toString());
        }
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Closes this end. Queued outgoing messages are still written for up to {@value #CLOSE_LINGER_MILLIS} ms;
     * threads waiting in send or receive wake with {@link EndpointClosedException}. Idempotent.
     */
    @Override
    public void close() {
        boolean flush;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            messageQueued.signalAll();
            roomToSend.signalAll();
            flush = !outbound.isEmpty() && writeFailure == null && !socketClosed;
            closeDeadlineNanos = System.nanoTime() + CLOSE_LINGER_MILLIS * 1_000_000;
        } finally {
            lock.unlock();
        }
        if (server != null) {
            server.removed(this);
        }
        closeReadSelector();
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

    /** Closes the socket now (any thread); queued output is dropped. */
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
        closeQuietly(socket);
        closeReadSelector();
        reactor.wakeup();
    }

    /**
     * Wakes a point-to-point receiver waiting in its selector and releases the selector. Closing a selector waits
     * until a thread selecting on it has returned, which the wake-up inside close makes immediate.
     */
    private void closeReadSelector() {
        Selector selector = readSelector;
        if (selector != null) {
            closeQuietly(selector);
        }
    }

    /** The server closes a bad client: log the reason, fail waiting receivers, tell the handler. */
    private void failConnection(IpcException reason, boolean warn) {
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
            LOG.warn("{}: closing the connection: {}", name, reason.getMessage());
        } else {
            LOG.debug("{}: connection lost: {}", name, reason.getMessage());
        }
        closeSocket();
        reportDisconnect(reason);
    }

    private void reportDisconnect(IpcException reason) {
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
            try {
                handler.onDisconnect(this, reason);
            } catch (RuntimeException e) {
                LOG.error("{}: onDisconnect handler failed", name, e);
            }
            close();
        }
        if (reason instanceof MalformedFrameException) {
            close();
        }
    }

    /**
     * Called by a server's broadcast when this client cannot keep up: the connection is closed so that
     * memory stays bounded.
     */
    void dropSlowConsumer() {
        failConnection(new PeerGoneException(name + ": slow consumer: more than " + bufferSize
                + " bytes queued for it"), true);
    }

    // ------------------------------------------------------------------ information

    /** The peer's address: a {@link UnixDomainSocketAddress} (often unnamed for a client) or an {@link InetSocketAddress}. */
    public SocketAddress remoteAddress() {
        try {
            return socket.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** This end's address. */
    public SocketAddress localAddress() {
        try {
            return socket.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** The peer's credentials on a Unix domain socket, read when the connection was made; empty for TCP. */
    public Optional<PeerCredentials> peerCredentials() {
        return Optional.ofNullable(credentials);
    }

    /** The server that accepted this connection (for a handler to {@link SocketServer#broadcast}), or null for a client. */
    public SocketServer server() {
        return server;
    }

    /** Messages received and not yet taken by {@link #receive}; for monitoring. */
    public int queuedMessages() {
        if (direct) {
            return pendingFrame != null ? 1 : 0;
        }
        lock.lock();
        try {
            return inbound.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "StreamChannel[" + name + (closed ? ", closed" : "") + "]";
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // failure path: the first error is the one reported
        }
    }

    // ------------------------------------------------------------------ reactor side

    /** What the reactor thread does for this connection. */
    private final class Io implements Reactor.Handler {
        @Override
        public void ready(SelectionKey k) {
            if (!k.isValid()) {
                return;
            }
            // use the key handed in: the registering thread may not have stored it in the field yet
            if (k.isWritable()) {
                flush(k);
            }
            if (k.isValid() && k.isReadable()) {
                read(k);
            }
        }

        @Override
        public void tick() {
            boolean done;
            lock.lock();
            try {
                done = outbound.isEmpty() || System.nanoTime() - closeDeadlineNanos > 0;
                if (done && !outbound.isEmpty()) {
                    LOG.warn("{}: closed with {} bytes still unsent after {} ms; dropped", name, outboundBytes,
                            CLOSE_LINGER_MILLIS);
                }
            } finally {
                lock.unlock();
            }
            if (done) {
                closeSocket();
            }
        }

        private void flush(SelectionKey key) {
            boolean closeNow = false;
            lock.lock();
            try {
                while (!outbound.isEmpty()) {
                    ByteBuffer head = outbound.peek();
                    int n = socket.write(head);
                    outboundBytes -= n;
                    if (head.hasRemaining()) {
                        break;
                    }
                    outbound.poll();
                }
                if (sendFull && outboundBytes <= bufferSize / 4) {
                    sendFull = false;
                }
                if (outbound.isEmpty()) {
                    key.interestOpsAnd(~SelectionKey.OP_WRITE);
                    if (outputShutdown) {
                        shutdownSocketOutput();
                    }
                    closeNow = closed;
                }
                roomToSend.signalAll();
            } catch (IOException e) {
                writeFailed(e);
                closeNow = closed;
                try {
                    key.interestOpsAnd(~SelectionKey.OP_WRITE);
                } catch (RuntimeException ignored) {
                    // key cancelled concurrently
                }
            } finally {
                lock.unlock();
            }
            if (closeNow) {
                closeSocket();
            }
        }

        private void read(SelectionKey key) {
            ByteBuffer buffer = reactor.readBuffer();
            buffer.clear();
            int n;
            try {
                n = socket.read(buffer);
            } catch (IOException e) {
                failConnection(new PeerGoneException(name + ": the connection was lost (" + e.getMessage() + ")", e),
                        false);
                return;
            }
            if (n < 0) {
                endOfStream(key);
                return;
            }
            buffer.flip();
            List<byte[]> frames = handler == null ? new ArrayList<>() : null;
            MalformedFrameException malformed = null;
            try {
                ByteBuffer frame;
                while ((frame = decoder.next(buffer)) != null) {
                    if (handler != null) {
                        deliver(frame);
                    } else {
                        byte[] copy = new byte[frame.remaining()];
                        frame.get(copy);
                        frames.add(copy);
                    }
                }
            } catch (MalformedFrameException e) {
                malformed = e;
            }
            if (frames != null && !frames.isEmpty()) {
                lock.lock();
                try {
                    for (byte[] f : frames) {
                        inbound.add(f);
                        inboundBytes += f.length;
                    }
                    if (inboundBytes >= readAhead && malformed == null) {
                        readPaused = true;
                        key.interestOpsAnd(~SelectionKey.OP_READ);
                    }
                    messageQueued.signalAll();
                } finally {
                    lock.unlock();
                }
            }
            if (malformed != null) {
                failConnection(malformed, true);
            }
        }

        private void deliver(ByteBuffer frame) {
            try {
                handler.onMessage(StreamChannel.this, frame.asReadOnlyBuffer());
            } catch (RuntimeException e) {
                LOG.error("{}: onMessage handler failed", name, e);
            }
        }

        private void endOfStream(SelectionKey key) {
            if (decoder.inFrame()) {
                failConnection(new MalformedFrameException(name + ": stream ended inside a frame ("
                        + decoder.bufferedBytes() + " bytes of an unfinished frame received)"), true);
                return;
            }
            lock.lock();
            try {
                peerEnded = true;
                key.interestOpsAnd(~SelectionKey.OP_READ);
                messageQueued.signalAll();
            } finally {
                lock.unlock();
            }
            LOG.debug("{}: the peer closed the connection", name);
            reportDisconnect(null);
        }
    }
}
