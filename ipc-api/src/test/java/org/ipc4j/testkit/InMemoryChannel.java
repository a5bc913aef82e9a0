package org.ipc4j.testkit;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.DeadlineChannel;
import org.ipc4j.api.framing.Framing;

/**
 * The reference channel: two bounded in-memory queues, one per direction. It exists to define the
 * contract's semantics in the plainest code and to prove that {@link ChannelContract} passes a correct
 * channel; it is not an IPC mechanism.
 */
public final class InMemoryChannel extends DeadlineChannel {

    /** One direction: a bounded queue of messages plus who has closed which end. */
    static final class Direction {
        final ReentrantLock lock = new ReentrantLock();
        final Condition notEmpty = lock.newCondition();
        final Condition notFull = lock.newCondition();
        final ArrayDeque<byte[]> queue = new ArrayDeque<>();
        final int capacity;
        boolean senderClosed;
        boolean receiverClosed;

        Direction(int capacity) {
            this.capacity = capacity;
        }
    }

    private final Direction out;
    private final Direction in;
    private final int maxMessageSize;
    private final String name;
    private volatile boolean open = true;

    private InMemoryChannel(Direction out, Direction in, int maxMessageSize, String name) {
        this.out = out;
        this.in = in;
        this.maxMessageSize = maxMessageSize;
        this.name = name;
    }

    /** Two connected ends holding at most {@code capacity} messages per direction. */
    public static ChannelPair pair(int capacity, int maxMessageSize) {
        Direction ab = new Direction(capacity);
        Direction ba = new Direction(capacity);
        return new ChannelPair(new InMemoryChannel(ab, ba, maxMessageSize, "in-memory channel end a"),
                new InMemoryChannel(ba, ab, maxMessageSize, "in-memory channel end b"));
    }

    @Override
    protected boolean send(ByteBuffer message, Deadline deadline, boolean mayWait) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(message, "message");
        Framing.checkOutgoing(message, maxMessageSize, name);
        ensureOpen();
        out.lock.lock();
        try {
            while (true) {
                ensureOpen();
                if (out.receiverClosed) {
                    throw new PeerGoneException(name + ": the peer closed its end");
                }
                if (out.queue.size() < out.capacity) {
                    byte[] copy = new byte[message.remaining()];
                    message.get(copy);
                    out.queue.add(copy);
                    out.notEmpty.signal();
                    return true;
                }
                if (!await(out.notFull, deadline)) {
                    return false;
                }
            }
        } finally {
            out.lock.unlock();
        }
    }

    @Override
    protected int receive(ByteBuffer destination, Deadline deadline, boolean mayWait) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(destination, "destination");
        ensureOpen();
        in.lock.lock();
        try {
            while (true) {
                ensureOpen();
                byte[] head = in.queue.peek();
                if (head != null) {
                    if (head.length > destination.remaining()) {
                        throw new BufferTooSmallException(head.length, destination.remaining());
                    }
                    in.queue.poll();
                    destination.put(head);
                    in.notFull.signal();
                    return head.length;
                }
                if (in.senderClosed) {
                    throw new PeerGoneException(name + ": the peer closed its end");
                }
                if (!await(in.notEmpty, deadline)) {
                    return NO_MESSAGE;
                }
            }
        } finally {
            in.lock.unlock();
        }
    }

    private static boolean await(Condition condition, Deadline deadline) throws InterruptedIOException {
        try {
            if (deadline.isForever()) {
                condition.await();
                return true;
            }
            long left = deadline.remainingNanos();
            if (left <= 0) {
                return false;
            }
            condition.awaitNanos(left);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting");
        }
    }

    private void ensureOpen() throws EndpointClosedException {
        if (!open) {
            throw new EndpointClosedException(name);
        }
    }

    @Override
    public int maxMessageSize() {
        return maxMessageSize;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        closeSide(out, true);
        closeSide(in, false);
    }

    private static void closeSide(Direction d, boolean asSender) {
        d.lock.lock();
        try {
            if (asSender) {
                d.senderClosed = true;
            } else {
                d.receiverClosed = true;
            }
            d.notEmpty.signalAll();
            d.notFull.signalAll();
        } finally {
            d.lock.unlock();
        }
    }

}
