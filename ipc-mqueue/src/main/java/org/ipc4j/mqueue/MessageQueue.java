package org.ipc4j.mqueue;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.InterruptedIOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Channel;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcNames;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.mqueue.internal.LinuxLibc;
import org.ipc4j.mqueue.internal.MqErrors;
import org.ipc4j.mqueue.internal.MqPoller;
import org.ipc4j.mqueue.internal.MqSupport;
import org.ipc4j.mqueue.internal.NativeScratch;
import org.ipc4j.mqueue.internal.SystemLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A POSIX message queue ({@code mq_open(3)}): a named, kernel-held queue of whole messages, ordered by
 * priority and, within a priority, by arrival. Any number of processes may send to and receive from the same
 * queue; each message is received by exactly one of them.
 *
 * <pre>{@code
 * try (MessageQueue jobs = MessageQueue.openOrCreate("/jobs", 10, 1024)) {
 *     jobs.send(ByteBuffer.wrap(bytes), 5);           // priority 5 overtakes priority 0
 *     MessageInfo info = new MessageInfo();
 *     int length = jobs.receive(buffer, info);        // highest priority, oldest first
 * }
 * }</pre>
 *
 * <h2>As a {@link Channel}</h2>
 * The {@code Channel} methods send with priority {@value #DEFAULT_PRIORITY} and receive from the same queue:
 * a queue is one shared FIFO, not a duplex connection. For a request/reply pair between two processes use
 * {@link MessageQueueChannel}, which uses one queue per direction.
 *
 * <h2>Blocking, timeouts, closing</h2>
 * {@link #send(ByteBuffer)} blocks while the queue is full, {@link #receive(ByteBuffer)} while it is empty;
 * the {@code Duration} forms wait at most the timeout (an absolute CLOCK_REALTIME deadline is passed to
 * {@code mq_timedsend}/{@code mq_timedreceive}, re-armed after {@code EINTR}); the {@code try} forms never
 * wait. A waiting thread sleeps in the kernel in slices of {@value #SLICE_MILLIS} ms: a message (or room)
 * wakes it at once, and between slices it notices {@link #close()} ({@link EndpointClosedException}) and
 * {@link Thread#interrupt()} ({@link InterruptedIOException}, interrupt status kept). The descriptor is
 * closed only once no thread is inside a native call on it, so a concurrent close never makes another
 * thread use a reused descriptor number.
 *
 * <h2>Receiving into a small buffer</h2>
 * The kernel only hands out a message into a buffer of {@link #maxMessageSize()} bytes. A destination with
 * less room is filled through an internal buffer; if the message does not fit, the receive throws
 * {@link BufferTooSmallException} and this object keeps the message and returns it first on its next
 * receive (POSIX queues cannot be peeked). Closing the object puts a kept message back onto the queue with
 * its priority, without waiting, so another receiver (or a later open) gets it; it then stands behind the
 * messages of the same priority that arrived meanwhile. Only if the queue is full at that moment is it lost,
 * with a warning in the log.
 *
 * <h2>Peers</h2>
 * A queue does not know who has it open: a receiver cannot tell that the senders closed or died, so this
 * class never throws {@link org.ipc4j.api.PeerGoneException}. Use timeouts or an application-level goodbye.
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
public final class MessageQueue implements Channel, NamedObject {
    private static final Logger LOG = LoggerFactory.getLogger(MessageQueue.class);

    /** The priority the {@link Channel} methods send with. */
    public static final int DEFAULT_PRIORITY = 0;
    /** The highest priority Linux accepts ({@code MQ_PRIO_MAX - 1}). */
    public static final int MAX_PRIORITY = 32767;
    /** How long a waiting thread sleeps in the kernel before it checks for close and interrupt. */
    public static final int SLICE_MILLIS = 50;

    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS);
    private static final long FOREVER = Long.MAX_VALUE;
    private static final long CLOSED = 1L << 62;
    private static final long RELEASE_WAIT_MILLIS = 2000;

    private final String name;
    private final String posixName;
    private final int mqd;
    private final long maxMessages;
    private final int maxMessageSize;
    private final boolean created;
    private final boolean unlinkOnClose;

    /** {@link #CLOSED} bit plus the number of threads inside a native call on {@link #mqd}. */
    private final AtomicLong state = new AtomicLong();
    private final AtomicBoolean released = new AtomicBoolean();
    private final CountDownLatch releasedLatch = new CountDownLatch(1);
    private volatile IpcException releaseFailure;

    /** Messages taken from the kernel but not delivered (too-small destination, cancelled async receive). */
    private final ConcurrentLinkedDeque<QueuedMessage> kept = new ConcurrentLinkedDeque<>();
    private volatile boolean hasKept;

    private final Object asyncLock = new Object();
    private final ArrayDeque<AsyncReceive> asyncWaiting = new ArrayDeque<>();
    private long pollId;
    private boolean pollAdded;
    private boolean pollArmed;

    private MessageQueue(String name, String posixName, int mqd, long maxMessages, int maxMessageSize,
            boolean created, boolean unlinkOnClose) {
        this.name = name;
        this.posixName = posixName;
        this.mqd = mqd;
        this.maxMessages = maxMessages;
        this.maxMessageSize = maxMessageSize;
        this.created = created;
        this.unlinkOnClose = unlinkOnClose;
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
    public static MessageQueue create(String name, int maxMessages, int maxMessageSize) throws IpcException {
        return open(name, OpenOptions.create(), maxMessages, maxMessageSize);
    }

    /**
     * Opens the queue, creating it with owner-only permissions and the given attributes if it does not exist
     * (an existing queue keeps its own attributes).
     *
     * @see #open(String, OpenOptions, int, int)
     */
    public static MessageQueue openOrCreate(String name, int maxMessages, int maxMessageSize) throws IpcException {
        return open(name, OpenOptions.openOrCreate(), maxMessages, maxMessageSize);
    }

    /**
     * Opens or creates a queue for sending and receiving.
     *
     * @param name the queue name per {@link IpcNames} ({@code "/jobs"} or {@code "jobs"}; no other {@code '/'})
     * @param options create/open mode, permissions of a new queue (default 0600, set exactly at creation,
     *        whatever the umask), unlink on close
     * @param maxMessages capacity of a new queue in messages, or 0 for the system default
     *        ({@code /proc/sys/fs/mqueue/msg_default}); at most {@code msg_max} for unprivileged processes
     * @param maxMessageSize largest message of a new queue in bytes, or 0 for the system default
     *        ({@code msgsize_default}); at most {@code msgsize_max}
     * @throws IllegalArgumentException for a bad name or a negative attribute
     * @throws org.ipc4j.api.ObjectExistsException exclusive create of an existing name
     * @throws org.ipc4j.api.NoSuchObjectException open of a missing name
     * @throws PermissionDeniedException the queue's permissions do not allow this user
     * @throws org.ipc4j.api.LimitReachedException a system limit: {@code msg_max}, {@code msgsize_max},
     *         {@code queues_max}, the per-user {@code RLIMIT_MSGQUEUE} byte budget; the message has the live value
     * @throws UnsupportedPlatformException not on Linux
     */
    public static MessageQueue open(String name, OpenOptions options, int maxMessages, int maxMessageSize)
            throws IpcException {
        Objects.requireNonNull(options, "options");
        String posix = IpcNames.posix("message queue", name);
        if (maxMessages < 0) {
            throw new IllegalArgumentException("maxMessages must be positive, or 0 for the system default, got " + maxMessages);
        }
        if (maxMessageSize < 0) {
            throw new IllegalArgumentException("maxMessageSize must be positive, or 0 for the system default, got "
                    + maxMessageSize);
        }
        MqSupport.check();
        long maxmsg = maxMessages > 0 ? maxMessages : SystemLimits.proc(SystemLimits.MSG_DEFAULT);
        long msgsize = maxMessageSize > 0 ? maxMessageSize : SystemLimits.proc(SystemLimits.MSGSIZE_DEFAULT);
        int mode = options.permissions();
        int base = LinuxLibc.O_RDWR | LinuxLibc.O_CLOEXEC;
        try (Memory attr = new Memory(LinuxLibc.MQ_ATTR_SIZE)) {
            attr.clear();
            attr.setLong(LinuxLibc.MQ_ATTR_MAXMSG, maxmsg);
            attr.setLong(LinuxLibc.MQ_ATTR_MSGSIZE, msgsize);
            Pointer attrOrNull = maxmsg > 0 && msgsize > 0 ? attr : null;
            // OPEN_OR_CREATE tries an exclusive create first so that it knows whether it created the queue
            // (and must set its exact mode); a racing creator or unlinker makes it retry a few times.
            for (int attempt = 0; ; attempt++) {
                if (options.mayCreate()) {
                    int fd = LinuxLibc.VARIADIC.mq_open(posix, base | LinuxLibc.O_CREAT | LinuxLibc.O_EXCL, mode, attrOrNull);
                    if (fd >= 0) {
                        return opened(name, posix, fd, true, options, mode);
                    }
                    int errno = Native.getLastError();
                    if (errno != Errno.EEXIST || options.mode() == OpenMode.CREATE) {
                        throw MqErrors.open(posix, true, options.mode() == OpenMode.CREATE, maxmsg, msgsize, mode, errno);
                    }
                }
                int fd = LinuxLibc.VARIADIC.mq_open(posix, base);
                if (fd >= 0) {
                    return opened(name, posix, fd, false, options, mode);
                }
                int errno = Native.getLastError();
                if (errno != Errno.ENOENT || !options.mayCreate() || attempt >= 5) {
                    throw MqErrors.open(posix, false, false, maxmsg, msgsize, mode, errno);
                }
            }
        }
    }

    private static MessageQueue opened(String name, String posix, int fd, boolean created, OpenOptions options,
            int mode) throws IpcException {
        try {
            if (created && (mode & 077) != 0 && LinuxLibc.fchmod(fd, mode) != 0) {
                // The umask may have narrowed group/other bits the caller asked for; set them exactly. Widening
                // after creation is safe: nobody else could open the queue in between.
                throw Errno.exception("fchmod", posix, Native.getLastError(), "setting the permissions of the new queue");
            }
            NativeScratch scratch = NativeScratch.get();
            if (LinuxLibc.mq_getattr(fd, scratch.address(NativeScratch.ATTR)) != 0) {
                throw Errno.exception("mq_getattr", posix, Native.getLastError(), null);
            }
            long maxmsg = scratch.memory().getLong(NativeScratch.ATTR + LinuxLibc.MQ_ATTR_MAXMSG);
            long msgsize = scratch.memory().getLong(NativeScratch.ATTR + LinuxLibc.MQ_ATTR_MSGSIZE);
            if (msgsize > Integer.MAX_VALUE - 64) {
                throw new IpcException("message queue " + posix + " has messages of up to " + msgsize
                        + " bytes, more than a Java buffer holds");
            }
            MessageQueue q = new MessageQueue(name, posix, fd, maxmsg, (int) msgsize, created, options.unlinkOnClose());
            LOG.debug("opened message queue {} (maxmsg={}, msgsize={}, created={})", posix, maxmsg, msgsize, created);
            return q;
        } catch (IpcException | RuntimeException e) {
            LinuxLibc.mq_close(fd);
            if (created) {
                LinuxLibc.mq_unlink(posix);
            }
            throw e;
        }
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
        String posix = IpcNames.posix("message queue", name);
        MqSupport.check();
        if (LinuxLibc.mq_unlink(posix) == 0) {
            return true;
        }
        int errno = Native.getLastError();
        if (errno == Errno.ENOENT) {
            return false;
        }
        if (errno == Errno.EACCES || errno == Errno.EPERM) {
            throw new PermissionDeniedException(Errno.message("mq_unlink", posix, errno,
                    "only the owner of the queue (or a privileged process) may remove its name"));
        }
        throw Errno.exception("mq_unlink", posix, errno, null);
    }

    /**
     * Whether a queue of this name exists (that is, has not been unlinked).
     *
     * @throws IllegalArgumentException for a bad name
     */
    public static boolean exists(String name) throws IpcException {
        String posix = IpcNames.posix("message queue", name);
        MqSupport.check();
        int fd = LinuxLibc.VARIADIC.mq_open(posix, LinuxLibc.O_RDONLY | LinuxLibc.O_CLOEXEC);
        if (fd >= 0) {
            LinuxLibc.mq_close(fd);
            return true;
        }
        int errno = Native.getLastError();
        if (errno == Errno.ENOENT) {
            return false;
        }
        if (errno == Errno.EACCES) {
            return true;
        }
        throw Errno.exception("mq_open", posix, errno, null);
    }

    // ------------------------------------------------------------------ attributes

    @Override
    public String name() {
        return name;
    }

    /** The name as the kernel knows it, with its leading slash. */
    public String posixName() {
        return posixName;
    }

    /** The descriptor, for tests in this package (valid only while open). */
    int descriptor() {
        return mqd;
    }

    /** Whether this object created the queue (as opposed to opening an existing one). */
    public boolean created() {
        return created;
    }

    /** The largest message in bytes ({@code mq_msgsize}), fixed when the queue was created. */
    @Override
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** The capacity in messages ({@code mq_maxmsg}), fixed when the queue was created. */
    public long maxMessages() {
        return maxMessages;
    }

    /**
     * The attributes now, including the depth ({@code mq_getattr}).
     *
     * @throws EndpointClosedException if closed
     */
    public QueueAttributes attributes() throws IpcException {
        enter();
        try {
            NativeScratch scratch = NativeScratch.get();
            if (LinuxLibc.mq_getattr(mqd, scratch.address(NativeScratch.ATTR)) != 0) {
                throw Errno.exception("mq_getattr", posixName, Native.getLastError(), null);
            }
            ByteBuffer m = scratch.memory();
            return new QueueAttributes(m.getLong(NativeScratch.ATTR + LinuxLibc.MQ_ATTR_MAXMSG),
                    m.getLong(NativeScratch.ATTR + LinuxLibc.MQ_ATTR_MSGSIZE),
                    m.getLong(NativeScratch.ATTR + LinuxLibc.MQ_ATTR_CURMSGS));
        } finally {
            exit();
        }
    }

    /**
     * How many messages are in the queue now (any process may change it the next moment). Messages this
     * object kept after a {@link BufferTooSmallException} are not counted.
     */
    public long depth() throws IpcException {
        return attributes().currentMessages();
    }

    // ------------------------------------------------------------------ sending

    @Override
    public void send(ByteBuffer message) throws IpcException, InterruptedIOException {
        send(message, DEFAULT_PRIORITY);
    }

    @Override
    public boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
        return send(message, DEFAULT_PRIORITY, timeout);
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IpcException {
        return trySend(message, DEFAULT_PRIORITY);
    }

    /**
     * Sends one message with a priority, waiting while the queue is full. On success the source's position
     * moves to its limit.
     *
     * @param priority 0 to {@value #MAX_PRIORITY}; higher priorities are received first
     * @throws MessageTooLargeException if the message exceeds {@link #maxMessageSize()}; nothing is sent
     * @throws EndpointClosedException if closed, before or during the wait
     * @throws InterruptedIOException if the thread is interrupted while waiting; nothing is sent
     */
    public void send(ByteBuffer message, int priority) throws IpcException, InterruptedIOException {
        sendInternal(message, priority, FOREVER);
    }

    /**
     * Sends one message with a priority, waiting at most {@code timeout} for room.
     *
     * @return {@code true} if sent, {@code false} if the timeout elapsed first (nothing sent)
     * @see #send(ByteBuffer, int)
     */
    public boolean send(ByteBuffer message, int priority, Duration timeout) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        return sendInternal(message, priority, nanos(timeout));
    }

    /**
     * Sends one message with a priority if the queue has room now; never waits.
     *
     * @return {@code true} if sent, {@code false} if the queue is full
     * @see #send(ByteBuffer, int)
     */
    public boolean trySend(ByteBuffer message, int priority) throws IpcException {
        try {
            return sendInternal(message, priority, 0);
        } catch (InterruptedIOException e) {
            throw new AssertionError("a non-waiting send cannot be interrupted", e);
        }
    }

    /** Sends the whole array with a priority, waiting for room. See {@link #send(ByteBuffer, int)}. */
    public void send(byte[] message, int priority) throws IpcException, InterruptedIOException {
        send(ByteBuffer.wrap(Objects.requireNonNull(message, "message")), priority);
    }

    private boolean sendInternal(ByteBuffer message, int priority, long timeoutNanos)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(message, "message");
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be between 0 and " + MAX_PRIORITY + ", got " + priority);
        }
        int length = message.remaining();
        if (length > maxMessageSize) {
            ensureOpen();
            throw new MessageTooLargeException("message queue " + posixName + " (msgsize " + maxMessageSize
                    + ", fixed at creation; system maximum " + SystemLimits.MSGSIZE_MAX + " = "
                    + SystemLimits.proc(SystemLimits.MSGSIZE_MAX) + ")", length, maxMessageSize);
        }
        enter();
        try {
            NativeScratch scratch = NativeScratch.get();
            long address;
            if (message.isDirect()) {
                address = scratch.addressOf(message) + message.position();
            } else {
                ByteBuffer copy = scratch.buffer(length);
                copy.clear();
                if (message.hasArray()) {
                    // Straight from the array: no duplicate buffer allocated per send.
                    copy.put(message.array(), message.arrayOffset() + message.position(), length);
                } else {
                    copy.put(message.duplicate());
                }
                address = scratch.bufferAddress();
            }
            long start = timeoutNanos == FOREVER || timeoutNanos == 0 ? 0 : System.nanoTime();
            // A queue with room takes the message at once, so the first attempt never sleeps and reads no clock
            // (an expired deadline: the kernel then arms no timer either). Only a full queue costs a second call,
            // and that caller is about to sleep anyway. An interrupted (or closed) caller thus still sends if
            // there is room, but never sleeps.
            long wait = 0;
            while (true) {
                long timespec = wait == 0 ? scratch.zeroTimespec() : scratch.timespec(NativeScratch.realtimeNanos() + wait);
                if (LinuxLibc.mq_timedsend(mqd, address, length, priority, timespec) == 0) {
                    message.position(message.limit());
                    return true;
                }
                int errno = Native.getLastError();
                if (errno == Errno.ETIMEDOUT || errno == Errno.EAGAIN) {
                    if (timedOut(timeoutNanos, start)) {
                        return false;
                    }
                } else if (errno != Errno.EINTR) {
                    throw Errno.exception("mq_timedsend", posixName, errno, null);
                }
                checkWaitable();
                wait = sliceOf(timeoutNanos, start);
            }
        } finally {
            Reference.reachabilityFence(message);
            exit();
        }
    }

    // ------------------------------------------------------------------ receiving

    @Override
    public int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
        return receiveInternal(destination, FOREVER, null);
    }

    @Override
    public int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        return receiveInternal(destination, nanos(timeout), null);
    }

    @Override
    public int tryReceive(ByteBuffer destination) throws IpcException {
        return tryReceive(destination, null);
    }

    /**
     * Receives the highest-priority, oldest message, waiting while the queue is empty, and records its length
     * and priority in {@code info}.
     *
     * @param info filled with the length and priority; may be {@code null}
     * @return the message length
     * @throws BufferTooSmallException if {@code destination} cannot hold the message; it is kept for the
     *         next receive on this object
     * @throws EndpointClosedException if closed, before or during the wait
     * @throws InterruptedIOException if the thread is interrupted while waiting
     */
    public int receive(ByteBuffer destination, MessageInfo info) throws IpcException, InterruptedIOException {
        return receiveInternal(destination, FOREVER, info);
    }

    /**
     * As {@link #receive(ByteBuffer, MessageInfo)}, waiting at most {@code timeout}.
     *
     * @return the message length, or {@link #NO_MESSAGE} if the timeout elapsed first
     */
    public int receive(ByteBuffer destination, Duration timeout, MessageInfo info)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        return receiveInternal(destination, nanos(timeout), info);
    }

    /**
     * As {@link #receive(ByteBuffer, MessageInfo)} if a message is queued now; never waits.
     *
     * @return the message length, or {@link #NO_MESSAGE} if the queue is empty
     */
    public int tryReceive(ByteBuffer destination, MessageInfo info) throws IpcException {
        try {
            return receiveInternal(destination, 0, info);
        } catch (InterruptedIOException e) {
            throw new AssertionError("a non-waiting receive cannot be interrupted", e);
        }
    }

    /** Receives the next message with its priority into a new array, waiting while the queue is empty. */
    public QueuedMessage receiveMessage() throws IpcException, InterruptedIOException {
        return receiveMessage(FOREVER);
    }

    /**
     * Receives the next message with its priority into a new array, waiting at most {@code timeout}.
     *
     * @return the message, or {@code null} if the timeout elapsed first
     */
    public QueuedMessage receiveMessage(Duration timeout) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        return receiveMessage(nanos(timeout));
    }

    private QueuedMessage receiveMessage(long timeoutNanos) throws IpcException, InterruptedIOException {
        ByteBuffer buffer = ByteBuffer.allocate(maxMessageSize);
        MessageInfo info = new MessageInfo();
        int length = receiveInternal(buffer, timeoutNanos, info);
        return length == NO_MESSAGE ? null : new QueuedMessage(java.util.Arrays.copyOf(buffer.array(), length), info.priority());
    }

    private int receiveInternal(ByteBuffer destination, long timeoutNanos, MessageInfo info)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(destination, "destination");
        if (destination.isReadOnly()) {
            throw new IllegalArgumentException("destination buffer is read-only");
        }
        if (hasKept) {
            int length = deliverKept(destination, info);
            if (length != NO_MESSAGE) {
                return length;
            }
        }
        enter();
        try {
            NativeScratch scratch = NativeScratch.get();
            boolean direct = destination.isDirect() && destination.remaining() >= maxMessageSize;
            long address = direct ? scratch.addressOf(destination) + destination.position()
                    : scratch.bufferAddressFor(maxMessageSize);
            long start = timeoutNanos == FOREVER || timeoutNanos == 0 ? 0 : System.nanoTime();
            long priorityAddress = scratch.address(NativeScratch.PRIORITY);
            while (true) {
                // An interrupted (or closed) caller still takes what is there, but does not sleep first.
                long wait = waitable() ? sliceOf(timeoutNanos, start) : 0;
                long timespec = wait == 0 ? scratch.zeroTimespec() : scratch.timespec(NativeScratch.realtimeNanos() + wait);
                long received = LinuxLibc.mq_timedreceive(mqd, address, maxMessageSize, priorityAddress, timespec);
                if (received >= 0) {
                    int length = (int) received;
                    int priority = scratch.priority();
                    if (direct) {
                        destination.position(destination.position() + length);
                    } else {
                        ByteBuffer from = scratch.buffer(maxMessageSize);
                        from.clear().limit(length);
                        if (length > destination.remaining()) {
                            byte[] copy = new byte[length];
                            from.get(copy);
                            keepFirst(new QueuedMessage(copy, priority));
                            throw new BufferTooSmallException(length, destination.remaining());
                        }
                        destination.put(from);
                    }
                    if (info != null) {
                        info.set(length, priority);
                    }
                    return length;
                }
                int errno = Native.getLastError();
                if (errno == Errno.ETIMEDOUT || errno == Errno.EAGAIN) {
                    if (timedOut(timeoutNanos, start)) {
                        return NO_MESSAGE;
                    }
                } else if (errno != Errno.EINTR) {
                    throw Errno.exception("mq_timedreceive", posixName, errno, null);
                }
                checkWaitable();
            }
        } finally {
            Reference.reachabilityFence(destination);
            exit();
        }
    }

    private int deliverKept(ByteBuffer destination, MessageInfo info) throws IpcException {
        ensureOpen();
        QueuedMessage m = kept.pollFirst();
        if (m == null) {
            hasKept = false;
            return NO_MESSAGE;
        }
        if (m.payload().length > destination.remaining()) {
            kept.addFirst(m);
            throw new BufferTooSmallException(m.payload().length, destination.remaining());
        }
        hasKept = !kept.isEmpty();
        destination.put(m.payload());
        if (info != null) {
            info.set(m.payload().length, m.priority());
        }
        return m.payload().length;
    }

    private void keepFirst(QueuedMessage m) {
        kept.addFirst(m);
        hasKept = true;
    }

    /** The wait for the next native call: 0 for a try, else up to one slice of what is left. */
    private static long sliceOf(long timeoutNanos, long start) {
        if (timeoutNanos == 0) {
            return 0;
        }
        if (timeoutNanos == FOREVER) {
            return SLICE_NANOS;
        }
        long left = timeoutNanos - (System.nanoTime() - start);
        return Math.max(1, Math.min(left, SLICE_NANOS));
    }

    private static boolean timedOut(long timeoutNanos, long start) {
        return timeoutNanos == 0 || (timeoutNanos != FOREVER && System.nanoTime() - start >= timeoutNanos);
    }

    private static long nanos(Duration timeout) {
        if (timeout.isNegative()) {
            return 0;
        }
        long n = org.ipc4j.api.internal.Deadline.saturatedNanos(timeout);
        return n == FOREVER ? FOREVER - 1 : n;
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
        CompletableFuture<QueuedMessage> future = new CompletableFuture<>();
        AsyncReceive waiter = new AsyncReceive(future, executor);
        try {
            synchronized (asyncLock) {
                asyncWaiting.add(waiter);
                armLocked();
            }
        } catch (IpcException e) {
            synchronized (asyncLock) {
                asyncWaiting.remove(waiter);
            }
            future.completeExceptionally(e);
        }
        return future;
    }

    private record AsyncReceive(CompletableFuture<QueuedMessage> future, Executor executor) {
        void complete(QueuedMessage m, MessageQueue queue) {
            if (executor == null) {
                if (!future.complete(m)) {
                    queue.keepFirst(m);
                }
                return;
            }
            try {
                executor.execute(() -> {
                    if (!future.complete(m)) {
                        queue.keepFirst(m);
                    }
                });
            } catch (RejectedExecutionException e) {
                if (!future.complete(m)) {
                    queue.keepFirst(m);
                }
            }
        }
    }

    /** Watches the descriptor for one readable event; holds {@link #asyncLock}. */
    private void armLocked() throws IpcException {
        ensureOpen();
        if (pollArmed) {
            return;
        }
        enter();
        try {
            MqPoller poller = MqPoller.shared();
            if (pollId == 0) {
                pollId = poller.register(this::onReadable);
            }
            if (hasKept) {
                // A kept message never makes the descriptor readable: let the poller deliver it now.
                CompletableFuture.runAsync(this::onReadable);
                return;
            }
            poller.arm(mqd, pollId, !pollAdded);
            pollAdded = true;
            pollArmed = true;
        } finally {
            exit();
        }
    }

    /** Runs on the poller thread: hands queued messages to waiting futures, then re-arms if some still wait. */
    private void onReadable() {
        synchronized (asyncLock) {
            pollArmed = false;
        }
        ByteBuffer buffer = null;
        MessageInfo info = new MessageInfo();
        while (true) {
            AsyncReceive next;
            synchronized (asyncLock) {
                while ((next = asyncWaiting.peek()) != null && next.future().isDone()) {
                    asyncWaiting.poll();
                }
                if (next == null) {
                    return;
                }
            }
            if (buffer == null) {
                buffer = ByteBuffer.allocateDirect(maxMessageSize);
            }
            buffer.clear();
            int length;
            try {
                length = tryReceive(buffer, info);
            } catch (EndpointClosedException e) {
                return; // close() fails the waiters
            } catch (IpcException | RuntimeException e) {
                synchronized (asyncLock) {
                    asyncWaiting.remove(next);
                }
                next.future().completeExceptionally(e);
                continue;
            }
            if (length == NO_MESSAGE) {
                synchronized (asyncLock) {
                    if (!asyncWaiting.isEmpty()) {
                        try {
                            armLocked();
                        } catch (IpcException e) {
                            failWaitersLocked(e);
                        }
                    }
                }
                return;
            }
            buffer.flip();
            byte[] payload = new byte[length];
            buffer.get(payload);
            synchronized (asyncLock) {
                asyncWaiting.remove(next);
            }
            next.complete(new QueuedMessage(payload, info.priority()), this);
        }
    }

    private void failWaitersLocked(IpcException e) {
        AsyncReceive w;
        while ((w = asyncWaiting.poll()) != null) {
            w.future().completeExceptionally(e);
        }
    }

    // ------------------------------------------------------------------ closing

    @Override
    public boolean isOpen() {
        return (state.get() & CLOSED) == 0;
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
    public void close() throws IpcException {
        long before = state.getAndUpdate(s -> s | CLOSED);
        if ((before & CLOSED) != 0) {
            return;
        }
        java.util.List<AsyncReceive> waiting;
        synchronized (asyncLock) {
            waiting = new java.util.ArrayList<>(asyncWaiting);
            asyncWaiting.clear();
        }
        // Completed outside the lock: dependent actions run on this thread and may call back into the queue.
        for (AsyncReceive w : waiting) {
            w.future().completeExceptionally(new EndpointClosedException("message queue " + posixName));
        }
        if (before == 0) {
            release();
        }
        IpcException failure = null;
        if (unlinkOnClose) {
            try {
                unlink();
            } catch (IpcException e) {
                failure = e;
            }
        }
        try {
            if (!releasedLatch.await(RELEASE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn("message queue {}: a thread is still inside a native call after {} ms; the descriptor"
                        + " will be closed when it leaves", posixName, RELEASE_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!kept.isEmpty()) {
            // Kept by a receive that raced with this close after the descriptor was released (a cancelled async
            // receive completing late): there is no descriptor left to put it back with.
            LOG.warn("message queue {}: {} received message(s) kept after a too-small buffer were lost: they were"
                    + " kept after the descriptor had been closed", posixName, kept.size());
            kept.clear();
        }
        if (failure == null) {
            failure = releaseFailure;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Removes the queue's name (see {@link #unlink(String)}); works on a closed object too. Idempotent.
     */
    @Override
    public void unlink() throws IpcException {
        unlink(name);
    }

    @Override
    public String toString() {
        return "MessageQueue[" + posixName + ", maxmsg=" + maxMessages + ", msgsize=" + maxMessageSize
                + (isOpen() ? "" : ", closed") + "]";
    }

    /** Counts the caller as inside a native call on the descriptor; fails if closed. */
    private void enter() throws EndpointClosedException {
        long s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                throw closedException();
            }
        } while (!state.compareAndSet(s, s + 1));
    }

    private void exit() {
        if (state.decrementAndGet() == CLOSED) {
            release();
        }
    }

    private void ensureOpen() throws EndpointClosedException {
        if (!isOpen()) {
            throw closedException();
        }
    }

    private boolean waitable() {
        return (state.get() & CLOSED) == 0 && !Thread.currentThread().isInterrupted();
    }

    private void checkWaitable() throws EndpointClosedException, InterruptedIOException {
        ensureOpen();
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting on message queue " + posixName);
        }
    }

    private EndpointClosedException closedException() {
        return new EndpointClosedException("message queue " + posixName);
    }

    /**
     * Puts messages kept after a {@link BufferTooSmallException} (or for a cancelled async receive) back onto the
     * kernel queue, so that closing loses nothing another receiver could have had. Runs in {@link #release()},
     * while the descriptor is still open and no thread is inside a native call on it. The send never waits (an
     * expired deadline): a full queue makes it fail, and the message is then lost with a warning, since a close
     * must not block on other processes. A message put back goes to the back of its priority class, behind the
     * messages of that priority that arrived after it was taken; kept messages keep their order among themselves.
     */
    private void requeueKept() {
        QueuedMessage m;
        while ((m = kept.pollFirst()) != null) {
            byte[] payload = m.payload();
            int errno = 0;
            try (Memory memory = new Memory(Math.max(1, payload.length) + LinuxLibc.TIMESPEC_SIZE)) {
                memory.clear();
                memory.write(LinuxLibc.TIMESPEC_SIZE, payload, 0, payload.length);
                long base = Pointer.nativeValue(memory);
                // The timespec at offset 0 is all zero: a deadline in the past, so the kernel never sleeps.
                while (LinuxLibc.mq_timedsend(mqd, base + LinuxLibc.TIMESPEC_SIZE, payload.length, m.priority(), base) != 0) {
                    errno = Native.getLastError();
                    if (errno != Errno.EINTR) {
                        break;
                    }
                    errno = 0;
                }
            }
            if (errno != 0) {
                String reason = errno == Errno.ETIMEDOUT || errno == Errno.EAGAIN
                        ? "the queue is full (" + maxMessages + " messages)" : Errno.message("mq_timedsend", posixName, errno, null);
                LOG.warn("message queue {}: a received message of {} bytes (priority {}) kept after a too-small buffer"
                        + " could not be put back on close and is lost: {}", posixName, payload.length, m.priority(), reason);
            } else {
                LOG.debug("message queue {}: put a kept message of {} bytes back on close", posixName, payload.length);
            }
        }
        hasKept = false;
    }

    /** Closes the descriptor; runs once, when closed and no thread is inside a native call. */
    private void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try {
            synchronized (asyncLock) {
                if (pollId != 0) {
                    try {
                        MqPoller.shared().remove(mqd, pollId, pollAdded);
                    } catch (IpcException e) {
                        LOG.debug("could not unregister {} from the poller", posixName, e);
                    }
                }
            }
            requeueKept();
            if (LinuxLibc.mq_close(mqd) != 0) {
                releaseFailure = Errno.exception("mq_close", posixName, Native.getLastError(), null);
            }
        } finally {
            releasedLatch.countDown();
        }
    }
}
