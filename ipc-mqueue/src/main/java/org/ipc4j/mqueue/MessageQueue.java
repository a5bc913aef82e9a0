package org.ipc4j.mqueue;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Channel;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcNames;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.DuplexChannel;
import org.ipc4j.api.internal.LazyLog;
import org.ipc4j.mqueue.internal.ChannelSession;
import org.ipc4j.mqueue.internal.MqSupport;
import org.ipc4j.mqueue.internal.QueueHandle;

/**
 * A POSIX message queue ({@code mq_open(3)}): a named, kernel-held queue of whole messages, ordered by
 * priority and, within a priority, by arrival. Any number of processes may send to and receive from the same
 * queue; each message is received by exactly one of them.
 *
 * <pre>{@code
 * try (MessageQueue jobs = MessageQueue.openOrCreate("/jobs", 10, 1024)) {   // depth 10, 1 KiB messages
 *     jobs.send(ByteBuffer.wrap(bytes), 5);           // priority 5 overtakes priority 0
 *     MessageInfo info = new MessageInfo();
 *     int length = jobs.receive(buffer, info);        // highest priority, oldest first
 * }
 * }</pre>
 *
 * <h2>As a {@link Channel}</h2>
 * The {@code Channel} methods send with priority {@value #DEFAULT_PRIORITY} and receive from the same queue:
 * a queue is one shared FIFO, not a duplex connection, so a process that sends and receives on it may receive
 * its own messages. For a request/reply pair between two processes use {@link MessageQueueChannel} (the
 * address {@code mq:/NAME}); the address of a single queue is {@code mq:/NAME?shared=true}.
 *
 * <h2>Blocking, timeouts, closing</h2>
 * {@link #send(ByteBuffer)} blocks while the queue is full, {@link #receive(ByteBuffer)} while it is empty;
 * the {@code Duration} forms wait at most the timeout (an absolute CLOCK_REALTIME deadline is passed to
 * {@code mq_timedsend}/{@code mq_timedreceive}, re-armed after {@code EINTR}); the {@code try} forms never
 * wait. A waiting thread sleeps in the kernel in slices of {@value #SLICE_MILLIS} ms: a message (or room)
 * wakes it at once, and between slices it notices {@link #close()} ({@link EndpointClosedException}) and
 * {@link Thread#interrupt()} ({@link InterruptedIOException}, interrupt status kept). The descriptor is
 * closed only once no thread is inside a native call on it, so a concurrent close never makes another
 * thread use a reused descriptor number. Receives run on the caller's thread.
 *
 * <h2>Receiving into a small buffer</h2>
 * The kernel only hands out a message into a buffer of {@link #maxMessageSize()} bytes. A destination with
 * less room is filled through an internal buffer; if the message does not fit, the receive throws
 * {@link BufferTooSmallException} and this object keeps the message and returns it first on its next
 * receive (POSIX queues cannot be peeked). Closing the object puts a kept message back onto the queue with
 * its priority, without waiting, so another receiver (or a later open) gets it; it then stands behind the
 * messages of the same priority that arrived meanwhile. Only if the queue is full at that moment is it lost,
 * with a warning in the log. {@link #receive()} returns an array of the message's own size.
 *
 * <h2>Peers</h2>
 * A queue does not know who has it open: a receiver cannot tell that the senders closed or died, so this
 * class never throws {@link org.ipc4j.api.PeerGoneException}. Use timeouts or an application-level goodbye,
 * or {@link MessageQueueChannel}, which learns it from a lease.
 *
 * <h2>Ownership and threads</h2>
 * The caller owns the object and must close it; closing does not remove the name (see {@link #unlink()} and
 * {@link OpenOptions#unlinkOnClose(boolean)}). All methods are thread-safe; several threads may send and
 * receive at once. The fastest path is a direct {@link ByteBuffer}: a send reads from it, and a receive into a
 * direct buffer with at least {@link #maxMessageSize()} bytes remaining writes into it, with no copy and no
 * allocation.
 *
 * <p>Linux only; {@link #isSupported()} tells, and elsewhere the factories throw
 * {@link UnsupportedPlatformException}.
 */
@SuppressWarnings("exports") // the skeleton and the ends are internal; clients only call Channel methods
public final class MessageQueue extends DuplexChannel<QueueSendEnd, QueueReceiveEnd> implements NamedObject {
    private static final LazyLog LOG = new LazyLog(MessageQueue.class);

    /** The priority the {@link Channel} methods send with. */
    public static final int DEFAULT_PRIORITY = 0;
    /** The highest priority Linux accepts ({@code MQ_PRIO_MAX - 1}). */
    public static final int MAX_PRIORITY = 32767;
    /** How long a waiting thread sleeps in the kernel before it checks for close and interrupt. */
    public static final int SLICE_MILLIS = 50;

    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS);

    private final QueueHandle handle;
    private final boolean unlinkOnClose;
    private final AsyncReceiver async;

    private MessageQueue(QueueHandle handle, QueueSendEnd out, QueueReceiveEnd in, boolean unlinkOnClose) {
        super(out, in);
        this.handle = handle;
        this.unlinkOnClose = unlinkOnClose;
        this.async = new AsyncReceiver(handle, in);
        handle.onRelease(in::requeueKept);
    }

    /** A queue over an open handle; {@code session} is the channel it belongs to, or {@code null}. */
    static MessageQueue over(QueueHandle handle, ChannelSession session, boolean unlinkOnClose) {
        return new MessageQueue(handle, new QueueSendEnd(handle, session), new QueueReceiveEnd(handle, session),
                unlinkOnClose);
    }

    // ------------------------------------------------------------------ opening

    /** Whether POSIX message queues work in this process (Linux, 64-bit); never throws. */
    public static boolean isSupported() {
        return MqSupport.isSupported();
    }

    /** Whether message queues work here and, if not, why; never throws. */
    public static Capability capability() {
        return MqSupport.capability();
    }

    /**
     * Opens an existing queue.
     *
     * @throws org.ipc4j.api.NoSuchObjectException if there is none of that name
     * @see #open(String, OpenOptions, int, int)
     */
    public static MessageQueue open(String name) throws IpcException {
        return open(name, OpenOptions.open(), 0, 0);
    }

    /**
     * Creates a new queue with owner-only permissions; fails if the name exists.
     *
     * @throws org.ipc4j.api.ObjectExistsException if a queue of that name exists
     * @see #open(String, OpenOptions, int, int)
     */
    public static MessageQueue create(String name, int depth, int maxMessageSize) throws IpcException {
        return open(name, OpenOptions.create(), depth, maxMessageSize);
    }

    /**
     * Opens the queue, creating it with owner-only permissions and the given attributes if it does not exist
     * (an existing queue keeps its own attributes).
     *
     * @see #open(String, OpenOptions, int, int)
     */
    public static MessageQueue openOrCreate(String name, int depth, int maxMessageSize) throws IpcException {
        return open(name, OpenOptions.openOrCreate(), depth, maxMessageSize);
    }

    /**
     * Opens or creates a queue for sending and receiving.
     *
     * @param name the queue name per {@link IpcNames} ({@code "/jobs"} or {@code "jobs"}; no other {@code '/'})
     * @param options create/open mode, permissions of a new queue (default 0600, set exactly at creation,
     *        whatever the umask), unlink on close
     * @param depth how many messages a new queue holds (the address's {@code depth}), or 0 for the system
     *        default ({@code /proc/sys/fs/mqueue/msg_default}); at most {@code msg_max} for unprivileged processes
     * @param maxMessageSize the largest message of a new queue in bytes (the address's {@code maxmsg}), or 0
     *        for the system default ({@code msgsize_default}); at most {@code msgsize_max}
     * @throws IllegalArgumentException for a bad name or a negative attribute
     * @throws org.ipc4j.api.ObjectExistsException exclusive create of an existing name
     * @throws org.ipc4j.api.NoSuchObjectException open of a missing name
     * @throws PermissionDeniedException the queue's permissions do not allow this user
     * @throws org.ipc4j.api.LimitReachedException a system limit: {@code msg_max}, {@code msgsize_max},
     *         {@code queues_max}, the per-user {@code RLIMIT_MSGQUEUE} byte budget; the message has the live value
     * @throws UnsupportedPlatformException not on Linux
     */
    public static MessageQueue open(String name, OpenOptions options, int depth, int maxMessageSize)
            throws IpcException {
        QueueHandle handle = QueueHandle.open(name, options, depth, maxMessageSize);
        LOG.get().debug("opened message queue {} (depth {}, maxmsg {} bytes, created {})", handle.posixName(),
                handle.maxMessages(), handle.maxMessageSize(), handle.created());
        return over(handle, null, options.unlinkOnClose());
    }

    /**
     * Removes a queue's name. Processes that have it open keep using it; the kernel frees it after the last
     * close.
     *
     * @return {@code true} if a queue was removed, {@code false} if there was none of that name
     * @throws PermissionDeniedException if this user may not remove it
     * @throws IllegalArgumentException for a bad name
     */
    public static boolean unlink(String name) throws IpcException {
        return QueueHandle.unlink(name);
    }

    /**
     * Whether a queue of this name exists (that is, has not been unlinked).
     *
     * @throws IllegalArgumentException for a bad name
     */
    public static boolean exists(String name) throws IpcException {
        return QueueHandle.exists(name);
    }

    // ------------------------------------------------------------------ attributes

    @Override
    public String name() {
        return handle.name();
    }

    /** The name as the kernel knows it, with its leading slash. */
    public String posixName() {
        return handle.posixName();
    }

    /** The descriptor, for tests in this package (valid only while open). */
    int descriptor() {
        return handle.fd();
    }

    /** Whether this object created the queue (as opposed to opening an existing one). */
    public boolean created() {
        return handle.created();
    }

    /** The largest message in bytes ({@code mq_msgsize}, the address's {@code maxmsg}), fixed at creation. */
    @Override
    public int maxMessageSize() {
        return handle.maxMessageSize();
    }

    /** How many messages the queue holds ({@code mq_maxmsg}, the address's {@code depth}), fixed at creation. */
    public long maxMessages() {
        return handle.maxMessages();
    }

    /**
     * The attributes now, including the number of queued messages ({@code mq_getattr}).
     *
     * @throws EndpointClosedException if closed
     */
    public QueueAttributes attributes() throws IpcException {
        long[] a = handle.attributes();
        return new QueueAttributes(a[0], a[1], a[2]);
    }

    /**
     * How many messages are in the queue now (any process may change it the next moment). Messages this
     * object kept after a {@link BufferTooSmallException} are not counted.
     */
    public long queuedMessages() throws IpcException {
        return attributes().currentMessages();
    }

    // ------------------------------------------------------------------ priorities

    /**
     * Sends one message with a priority, waiting while the queue is full. On success the source's position
     * moves to its limit.
     *
     * @param priority 0 to {@value #MAX_PRIORITY}; higher priorities are received first
     * @throws IllegalArgumentException for a priority outside 0..{@value #MAX_PRIORITY}
     * @throws MessageTooLargeException if the message exceeds {@link #maxMessageSize()}; nothing is sent
     * @throws EndpointClosedException if closed, before or during the wait
     * @throws InterruptedIOException if the thread is interrupted while waiting; nothing is sent
     */
    public void send(ByteBuffer message, int priority) throws IpcException, InterruptedIOException {
        out.send(message, priority, Deadline.forever(), true);
    }

    /**
     * Sends one message with a priority, waiting at most {@code timeout} for room.
     *
     * @return {@code true} if sent, {@code false} if the timeout elapsed first (nothing sent)
     * @see #send(ByteBuffer, int)
     */
    public boolean send(ByteBuffer message, int priority, Duration timeout) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        return out.send(message, priority, Deadline.after(timeout), true);
    }

    /**
     * Sends one message with a priority if the queue has room now; never waits.
     *
     * @return {@code true} if sent, {@code false} if the queue is full
     * @see #send(ByteBuffer, int)
     */
    public boolean trySend(ByteBuffer message, int priority) throws IpcException {
        try {
            return out.send(message, priority, Deadline.passed(), false);
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("a non-waiting send cannot be interrupted", e);
        }
    }

    /** Sends the whole array with a priority, waiting for room. See {@link #send(ByteBuffer, int)}. */
    public void send(byte[] message, int priority) throws IpcException, InterruptedIOException {
        send(ByteBuffer.wrap(Objects.requireNonNull(message, "message")), priority);
    }

    /**
     * Receives the highest-priority, oldest message, waiting while the queue is empty, and records its length
     * and priority in {@code info}.
     *
     * @param info filled with the length and priority; may be {@code null}
     * @return the message length
     * @throws BufferTooSmallException if {@code destination} cannot hold the message; it is kept for the
     *         next receive on this object
     * @throws IllegalArgumentException if {@code destination} is read-only
     * @throws EndpointClosedException if closed, before or during the wait
     * @throws InterruptedIOException if the thread is interrupted while waiting
     */
    public int receive(ByteBuffer destination, MessageInfo info) throws IpcException, InterruptedIOException {
        return in.receive(destination, Deadline.forever(), true, info);
    }

    /**
     * As {@link #receive(ByteBuffer, MessageInfo)}, waiting at most {@code timeout}.
     *
     * @return the message length, or {@link #NO_MESSAGE} if the timeout elapsed first
     */
    public int receive(ByteBuffer destination, Duration timeout, MessageInfo info)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        return in.receive(destination, Deadline.after(timeout), true, info);
    }

    /**
     * As {@link #receive(ByteBuffer, MessageInfo)} if a message is queued now; never waits.
     *
     * @return the message length, or {@link #NO_MESSAGE} if the queue is empty
     */
    public int tryReceive(ByteBuffer destination, MessageInfo info) throws IpcException {
        try {
            return in.receive(destination, Deadline.passed(), false, info);
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("a non-waiting receive cannot be interrupted", e);
        }
    }

    /** Receives the next message with its priority into an array of its size, waiting while the queue is empty. */
    public QueuedMessage receiveMessage() throws IpcException, InterruptedIOException {
        return in.receiveMessage(Deadline.forever());
    }

    /**
     * Receives the next message with its priority into an array of its size, waiting at most {@code timeout}.
     *
     * @return the message, or {@code null} if the timeout elapsed first
     */
    public QueuedMessage receiveMessage(Duration timeout) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        return in.receiveMessage(Deadline.after(timeout));
    }

    // ------------------------------------------------------------------ asynchronous receive

    /**
     * Receives the next message without blocking a thread: the returned future completes with the message
     * and its priority when one arrives. Futures complete in the order they were asked for. One thread shared
     * by all queues of the process waits for readiness ({@code epoll}); the future is completed on that thread,
     * so keep dependent actions short or use {@link #receiveAsync(Executor)} or the {@code ...Async} methods of
     * {@link CompletableFuture}.
     *
     * <p>The future fails with {@link EndpointClosedException} when this object is closed first. Cancelling it
     * stops the wait; a message already taken for a cancelled future is kept for the next receive.
     */
    public CompletableFuture<QueuedMessage> receiveAsync() {
        return receiveAsync(null);
    }

    /**
     * As {@link #receiveAsync()}, completing the future through {@code executor}.
     *
     * @param executor runs the completion, or {@code null} for the poller thread
     */
    public CompletableFuture<QueuedMessage> receiveAsync(Executor executor) {
        return async.receive(executor);
    }

    // ------------------------------------------------------------------ closing

    @Override
    public boolean isOpen() {
        return handle.isOpen();
    }

    /**
     * Closes this process's descriptor (and removes the name if opened with unlink-on-close). Threads waiting
     * in a send or receive wake within about {@value #SLICE_MILLIS} ms with {@link EndpointClosedException};
     * pending {@link #receiveAsync()} futures fail with it. The descriptor itself is closed once the last
     * thread has left its native call, which this method waits for (briefly). Messages this object kept after a
     * {@link BufferTooSmallException} are then put back onto the queue with their priorities, without waiting
     * (behind the messages of the same priority that arrived meanwhile); one that does not fit because the queue
     * is full is lost and logged as a warning. Idempotent.
     *
     * @throws IpcException if {@code mq_close} or the unlink failed; the object is closed anyway
     */
    @Override
    protected void closeResources() throws IpcException {
        handle.close();
        async.failWaiters();
        IpcException failure = null;
        if (unlinkOnClose) {
            try {
                unlink();
            } catch (IpcException e) {
                failure = e;
            }
        }
        IpcException released = handle.awaitRelease();
        if (!handle.released()) {
            LOG.get().warn("message queue {}: a thread is still inside a native call; the descriptor will be closed"
                    + " when it leaves", handle.posixName());
        } else {
            int lost = in.dropKept();
            if (lost > 0) {
                // Kept by a receive that raced with this close after the descriptor was released (a cancelled
                // async receive completing late): there is no descriptor left to put it back with.
                LOG.get().warn("message queue {}: {} received message(s) kept after a too-small buffer were lost: they"
                        + " were kept after the descriptor had been closed", handle.posixName(), lost);
            }
        }
        if (failure == null) {
            failure = released;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Removes the queue's name (see {@link #unlink(String)}); works on a closed object too. Idempotent. */
    @Override
    public void unlink() throws IpcException {
        unlink(handle.name());
    }

    @Override
    public String toString() {
        return "MessageQueue[" + handle.posixName() + ", depth " + handle.maxMessages() + ", maxmsg "
                + handle.maxMessageSize() + (isOpen() ? "" : ", closed") + "]";
    }

    /** The end that sends on this queue, for a channel built over it. */
    QueueSendEnd sendEnd() {
        return out;
    }

    /** The end that receives from this queue, for a channel built over it. */
    QueueReceiveEnd receiveEnd() {
        return in;
    }

    static void checkPriority(int priority) {
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be between 0 and " + MAX_PRIORITY + ", got " + priority);
        }
    }

    /** How long the next native call of a wait may sleep: up to one slice of what is left, 0 when nothing is. */
    static long slice(Deadline deadline) {
        long left = deadline.remainingNanos();
        return left < SLICE_NANOS ? left : SLICE_NANOS;
    }
}
