package org.ipc4j.testkit;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.ReceiveEnd;
import org.ipc4j.api.internal.Receiving;
import org.ipc4j.api.internal.SendEnd;

/**
 * The reference one-way ends: a bounded in-memory queue of messages with a sending end and a receiving end
 * on ipc-api's endpoint skeleton. It defines the one-way contract's semantics in the plainest code and proves
 * that {@link OneWayContract} passes a correct pair; it is not an IPC mechanism. Closing the receiving end
 * is what "the peer died" means here: the next send throws {@link PeerGoneException}. Closing the sending end
 * lets the receiver take what was queued, then throws {@link PeerGoneException}.
 */
public final class InMemoryOneWay {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private final int capacity;
    private final int maxMessageSize;
    private final String name;
    private boolean senderClosed;
    private boolean receiverClosed;

    private InMemoryOneWay(int capacity, int maxMessageSize, String name) {
        this.capacity = capacity;
        this.maxMessageSize = maxMessageSize;
        this.name = name;
    }

    /** A connected pair over a queue of at most {@code capacity} messages of at most {@code maxMessageSize} bytes. */
    public static OneWayPair pair(int capacity, int maxMessageSize) {
        return pair(capacity, maxMessageSize, "in-memory queue");
    }

    /** {@link #pair(int, int)} with a name for messages. */
    public static OneWayPair pair(int capacity, int maxMessageSize, String name) {
        InMemoryOneWay q = new InMemoryOneWay(capacity, maxMessageSize, name);
        return new OneWayPair(q.new SendSide(), q.new ReceiveSide());
    }

    private boolean await(Condition condition, Deadline deadline, boolean mayWait) throws InterruptedIOException {
        if (!mayWait) {
            return false;
        }
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
            throw new InterruptedIOException("interrupted while waiting on " + name);
        }
    }

    private void lockInterruptibly() throws InterruptedIOException {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting on " + name);
        }
    }

    /** The sending end. */
    final class SendSide extends SendEnd {
        private volatile boolean open = true;

        @Override
        protected boolean send(ByteBuffer message, Deadline deadline, boolean mayWait)
                throws IpcException, InterruptedIOException {
            lockInterruptibly();
            try {
                while (true) {
                    if (!open) {
                        throw closedException();
                    }
                    if (receiverClosed) {
                        throw new PeerGoneException(name + ": the receiving end closed");
                    }
                    if (queue.size() < capacity) {
                        byte[] copy = new byte[message.remaining()];
                        message.get(copy);
                        queue.add(copy);
                        notEmpty.signal();
                        return true;
                    }
                    if (!await(notFull, deadline, mayWait)) {
                        return false;
                    }
                }
            } finally {
                lock.unlock();
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
        protected String describe() {
            return name + " (sending end)";
        }

        @Override
        public void close() {
            lock.lock();
            try {
                open = false;
                senderClosed = true;
                notEmpty.signalAll();
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The receiving end. */
    final class ReceiveSide extends ReceiveEnd {
        private volatile boolean open = true;

        @Override
        protected ByteBuffer receive(ByteBuffer destination, Deadline deadline, boolean mayWait)
                throws IpcException, InterruptedIOException {
            lockInterruptibly();
            try {
                while (true) {
                    if (!open) {
                        throw closedException();
                    }
                    byte[] head = queue.peek();
                    if (head != null) {
                        ByteBuffer target = Receiving.into(destination, head.length);
                        queue.poll();
                        target.put(head);
                        notFull.signal();
                        return target;
                    }
                    if (senderClosed) {
                        throw new PeerGoneException(name + ": the sending end closed");
                    }
                    if (!await(notEmpty, deadline, mayWait)) {
                        return null;
                    }
                }
            } finally {
                lock.unlock();
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
        protected String describe() {
            return name + " (receiving end)";
        }

        @Override
        public void close() {
            lock.lock();
            try {
                open = false;
                receiverClosed = true;
                notEmpty.signalAll();
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
