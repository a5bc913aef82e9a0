package org.ipc4j.mqueue;

import java.io.InterruptedIOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.SendEnd;
import org.ipc4j.api.internal.VirtualThreads;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.MqCalls;
import org.ipc4j.api.internal.posix.NativeErrors;
import org.ipc4j.api.internal.posix.OsConstants;
import org.ipc4j.api.internal.posix.Scratch;
import org.ipc4j.mqueue.internal.ChannelSession;
import org.ipc4j.mqueue.internal.QueueHandle;
import org.ipc4j.mqueue.internal.SystemLimits;

/**
 * The sending end of one queue: {@code mq_timedsend} in slices of {@value MessageQueue#SLICE_MILLIS} ms over
 * a {@link QueueHandle}; a virtual thread instead makes non-blocking calls and parks between them, for the same
 * slices, until the shared poller sees room. The priority comes from the thread's {@link PerThread} state (0 unless a priority
 * form of {@link MessageQueue} set it), so that every form takes {@link SendEnd}'s one checked path.
 */
final class QueueSendEnd extends SendEnd {
    /**
     * Per thread: its native {@link Scratch} (the {@code timespec}, the staging buffer) and the priority of the
     * send in progress, a hidden argument of the hook like the {@code timespec}. One lookup per send gives both.
     */
    private static final class PerThread {
        final Scratch scratch = Scratch.get();
        /** 0 unless a priority form set it (and it resets it when done). */
        int priority = MessageQueue.DEFAULT_PRIORITY;
    }

    private static final ThreadLocal<PerThread> CURRENT = ThreadLocal.withInitial(PerThread::new);

    private final QueueHandle queue;
    /** The channel session whose partner receives what this end sends, or {@code null} for a plain queue. */
    private final ChannelSession session;

    QueueSendEnd(QueueHandle queue, ChannelSession session) {
        this.queue = queue;
        this.session = session;
    }

    /** The same checks and position rule as the plain forms, with {@code priority}. */
    boolean send(ByteBuffer message, int priority, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        MessageQueue.checkPriority(priority);
        PerThread thread = CURRENT.get();
        thread.priority = priority;
        try {
            return sendUntil(message, deadline, mayWait);
        } finally {
            thread.priority = MessageQueue.DEFAULT_PRIORITY;
        }
    }

    @Override
    protected boolean send(ByteBuffer message, Deadline deadline, boolean mayWait) throws IpcException, InterruptedIOException {
        if (session != null) {
            session.beforeSend();
        }
        int length = message.remaining();
        queue.enter();
        try {
            PerThread thread = CURRENT.get();
            Scratch scratch = thread.scratch;
            int priority = thread.priority;
            long address;
            if (message.isDirect()) {
                address = scratch.addressOf(message) + message.position();
            } else {
                ByteBuffer copy = scratch.staging(length);
                copy.clear();
                if (message.hasArray()) {
                    // Straight from the array: no duplicate buffer allocated per send.
                    copy.put(message.array(), message.arrayOffset() + message.position(), length);
                } else {
                    copy.put(message.duplicate());
                }
                address = scratch.stagingAddress();
            }
            // A queue with room takes the message at once, so the first attempt never sleeps and reads no clock
            // (an expired deadline: the kernel then arms no timer either). Only a full queue costs a second call,
            // and that caller is about to sleep anyway. An interrupted (or closed) caller thus still sends if
            // there is room, but never sleeps.
            long wait = 0;
            // A virtual thread never sleeps in the kernel (it would hold its carrier): non-blocking calls only,
            // parked between them until the shared poller sees room.
            boolean park = mayWait && VirtualThreads.isCurrent();
            while (true) {
                long timespec = wait == 0 ? scratch.zeroTimespec() : scratch.timespec(Scratch.realtimeNanos() + wait);
                if (MqCalls.mq_timedsend(queue.fd(), address, length, priority, timespec) == 0) {
                    return true;
                }
                int errno = Libc.errno();
                if (errno == Errno.ETIMEDOUT || errno == Errno.EAGAIN) {
                    if (session != null) {
                        session.whileIdle(false);
                    }
                    if (!mayWait || deadline.hasPassed()) {
                        return false;
                    }
                } else if (errno != Errno.EINTR) {
                    throw NativeErrors.exception("mq_timedsend", queue.posixName(), errno);
                }
                queue.checkWaitable();
                if (park) {
                    queue.parkUntilReady(OsConstants.EPOLLOUT, MessageQueue.slice(deadline));
                } else {
                    wait = MessageQueue.slice(deadline);
                }
            }
        } finally {
            Reference.reachabilityFence(message);
            queue.exit();
        }
    }

    @Override
    public int maxMessageSize() {
        return queue.maxMessageSize();
    }

    @Override
    public boolean isOpen() {
        return queue.isOpen();
    }

    /** Closes the queue's handle: waiting senders leave at their next slice. */
    @Override
    public void close() {
        queue.close();
    }

    /** With the limits in the message: the one a {@code MessageTooLargeException} carries. */
    @Override
    protected String describe() {
        return "message queue " + queue.posixName() + " (maxmsg " + queue.maxMessageSize()
                + " bytes, fixed at creation; system maximum: "
                + SystemLimits.MSGSIZE_MAX.describe(SystemLimits.MSGSIZE_MAX.value()) + ")";
    }

    @Override
    protected EndpointClosedException closedException() {
        return queue.closedException();
    }
}
