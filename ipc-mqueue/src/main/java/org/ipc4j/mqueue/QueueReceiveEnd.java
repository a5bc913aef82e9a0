package org.ipc4j.mqueue;

import java.io.InterruptedIOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.LazyLog;
import org.ipc4j.api.internal.ReceiveEnd;
import org.ipc4j.api.internal.Receiving;
import org.ipc4j.api.internal.VirtualThreads;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.MqCalls;
import org.ipc4j.api.internal.posix.NativeErrors;
import org.ipc4j.api.internal.posix.OsConstants;
import org.ipc4j.api.internal.posix.Scratch;
import org.ipc4j.mqueue.internal.ChannelSession;
import org.ipc4j.mqueue.internal.QueueHandle;

/**
 * The receiving end of one queue: {@code mq_timedreceive} in slices of {@value MessageQueue#SLICE_MILLIS} ms
 * on the caller's thread, over a {@link QueueHandle}; a virtual thread instead makes non-blocking calls and
 * parks between them, for the same slices, until the shared poller sees the queue readable. The received priority is left in the thread's
 * {@link Scratch} ({@link Scratch#WORD}, where the kernel wrote it) for the forms that report it.
 *
 * <p>The kernel hands out a message only into a buffer of the queue's full message size. A direct
 * destination with that much room is written directly; anything else (a heap buffer, a small buffer, or
 * {@code null} for a {@code byte[]} receive) goes through the thread's staging buffer, whose length the call
 * returns, and is then copied once into {@link Receiving#into}'s buffer, of the message's own size for a
 * {@code byte[]}. A message that does not fit is <em>kept</em> here (a queue cannot be peeked) and handed
 * out first by the next receive; when the queue is released, kept messages are put back onto it.
 */
final class QueueReceiveEnd extends ReceiveEnd {
    private static final LazyLog LOG = new LazyLog(QueueReceiveEnd.class);

    private final QueueHandle queue;
    /** The channel session whose partner sends what this end receives, or {@code null} for a plain queue. */
    private final ChannelSession session;
    /** Messages taken from the kernel but not delivered (too-small destination, cancelled async receive). */
    private final ConcurrentLinkedDeque<QueuedMessage> kept = new ConcurrentLinkedDeque<>();
    private volatile boolean hasKept;

    QueueReceiveEnd(QueueHandle queue, ChannelSession session) {
        this.queue = queue;
        this.session = session;
    }

    /** {@link ReceiveEnd}'s checked path, recording the length and priority in {@code info} (may be null). */
    int receive(ByteBuffer destination, Deadline deadline, boolean mayWait, MessageInfo info)
            throws IpcException, InterruptedIOException {
        int length = receiveInto(destination, deadline, mayWait);
        if (info != null && length != NO_MESSAGE) {
            info.set(length, Scratch.get().word());
        }
        return length;
    }

    /** A receive into a new array of the message's size, with its priority; {@code null} on timeout. */
    QueuedMessage receiveMessage(Deadline deadline) throws IpcException, InterruptedIOException {
        byte[] payload = receiveArray(deadline, true);
        return payload == null ? null : new QueuedMessage(payload, Scratch.get().word());
    }

    @Override
    protected ByteBuffer receive(ByteBuffer destination, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        if (destination != null && destination.isReadOnly()) {
            throw new IllegalArgumentException("destination buffer is read-only");
        }
        if (hasKept) {
            ByteBuffer filled = deliverKept(destination);
            if (filled != null) {
                return filled;
            }
        }
        queue.enter();
        try {
            Scratch scratch = Scratch.get();
            int max = queue.maxMessageSize();
            boolean direct = destination != null && destination.isDirect() && destination.remaining() >= max;
            long address;
            if (direct) {
                address = scratch.addressOf(destination) + destination.position();
            } else {
                scratch.staging(max);
                address = scratch.stagingAddress();
            }
            long priorityAddress = scratch.address(Scratch.WORD);
            // A virtual thread never sleeps in the kernel (it would hold its carrier): it only makes
            // non-blocking calls and parks between them until the shared poller sees the queue readable.
            boolean park = mayWait && VirtualThreads.isCurrent();
            while (true) {
                // An interrupted (or closed) caller still takes what is there, but does not sleep first.
                long wait = !park && mayWait && queue.waitable() ? MessageQueue.slice(deadline) : 0;
                long timespec = wait == 0 ? scratch.zeroTimespec() : scratch.timespec(Scratch.realtimeNanos() + wait);
                long received = MqCalls.mq_timedreceive(queue.fd(), address, max, priorityAddress, timespec);
                if (received >= 0) {
                    if (session != null) {
                        session.messageArrived();
                    }
                    int length = (int) received;
                    if (direct) {
                        destination.position(destination.position() + length);
                        return destination;
                    }
                    return copyOut(scratch.staging(max), length, scratch.word(), destination);
                }
                int errno = Libc.errno();
                if (errno == Errno.ETIMEDOUT || errno == Errno.EAGAIN) {
                    if (session != null) {
                        session.whileIdle(true);
                    }
                    if (!mayWait || deadline.hasPassed()) {
                        return null;
                    }
                } else if (errno != Errno.EINTR) {
                    throw NativeErrors.exception("mq_timedreceive", queue.posixName(), errno);
                }
                queue.checkWaitable();
                if (park) {
                    queue.parkUntilReady(OsConstants.EPOLLIN, MessageQueue.slice(deadline));
                }
            }
        } finally {
            Reference.reachabilityFence(destination);
            queue.exit();
        }
    }

    /** Copies a message of {@code length} bytes out of the staging buffer, or keeps it if it does not fit. */
    private ByteBuffer copyOut(ByteBuffer staging, int length, int priority, ByteBuffer destination)
            throws BufferTooSmallException {
        staging.clear().limit(length);
        ByteBuffer target;
        try {
            target = Receiving.into(destination, length);
        } catch (BufferTooSmallException e) {
            byte[] copy = new byte[length];
            staging.get(copy);
            keepFirst(new QueuedMessage(copy, priority));
            throw e;
        }
        return target.put(staging);
    }

    private ByteBuffer deliverKept(ByteBuffer destination) throws IpcException {
        QueuedMessage m = kept.pollFirst();
        if (m == null) {
            hasKept = false;
            return null;
        }
        byte[] payload = m.payload();
        ByteBuffer target;
        try {
            target = Receiving.into(destination, payload.length);
        } catch (BufferTooSmallException e) {
            kept.addFirst(m);
            throw e;
        }
        hasKept = !kept.isEmpty();
        Scratch.get().memory().putInt(Scratch.WORD, m.priority()); // as if the kernel had just delivered it
        return target.put(payload);
    }

    /** Keeps a message taken from the kernel for the next receive (before any other). */
    void keepFirst(QueuedMessage m) {
        kept.addFirst(m);
        hasKept = true;
    }

    boolean hasKept() {
        return hasKept;
    }

    /**
     * Puts kept messages back onto the kernel queue, so that closing loses nothing another receiver could have
     * had. Runs when the handle is released: the descriptor is still open and no thread is inside a native
     * call on it. The send never waits (an expired deadline): a full queue makes it fail, and the message is
     * then lost with a warning, since a close must not block on other processes. A message put back goes to
     * the back of its priority class; kept messages keep their order among themselves. The payload goes through
     * the releasing thread's staging buffer, which no call of that thread is using while it releases.
     */
    void requeueKept() {
        Scratch scratch = Scratch.get();
        QueuedMessage m;
        while ((m = kept.pollFirst()) != null) {
            byte[] payload = m.payload();
            scratch.staging(payload.length).clear().put(payload);
            int errno = 0;
            // The zero timespec is a deadline in the past, so the kernel never sleeps.
            while (MqCalls.mq_timedsend(queue.fd(), scratch.stagingAddress(), payload.length, m.priority(),
                    scratch.zeroTimespec()) != 0) {
                errno = Libc.errno();
                if (errno != Errno.EINTR) {
                    break;
                }
                errno = 0;
            }
            if (errno != 0) {
                String reason = errno == Errno.ETIMEDOUT || errno == Errno.EAGAIN
                        ? "the queue is full (" + queue.maxMessages() + " messages)"
                        : Errno.message("mq_timedsend", queue.posixName(), errno, null);
                LOG.get().warn("message queue {}: a received message of {} bytes (priority {}) kept after a too-small buffer"
                        + " could not be put back on close and is lost: {}", queue.posixName(), payload.length, m.priority(), reason);
            } else {
                LOG.get().debug("message queue {}: put a kept message of {} bytes back on close", queue.posixName(), payload.length);
            }
        }
        hasKept = false;
    }

    /** Forgets messages kept after the descriptor was released (there is nothing to put them back with). */
    int dropKept() {
        int n = kept.size();
        kept.clear();
        hasKept = false;
        return n;
    }

    @Override
    public int maxMessageSize() {
        return queue.maxMessageSize();
    }

    @Override
    public boolean isOpen() {
        return queue.isOpen();
    }

    /** Closes the queue's handle: waiting receivers leave at their next slice. */
    @Override
    public void close() {
        queue.close();
    }

    @Override
    protected String describe() {
        return "message queue " + queue.posixName();
    }

    @Override
    protected EndpointClosedException closedException() {
        return queue.closedException();
    }
}
