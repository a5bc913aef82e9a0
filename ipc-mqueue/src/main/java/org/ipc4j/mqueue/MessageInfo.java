package org.ipc4j.mqueue;

/**
 * A reusable holder that a receive fills with what it received besides the bytes: the length and the
 * priority of the message. Pass the same instance to every receive of a loop so that receiving allocates
 * nothing. Not thread-safe: one holder per receiving thread.
 *
 * <pre>{@code
 * MessageInfo info = new MessageInfo();
 * queue.receive(buffer, info);
 * if (info.priority() > 0) { ... }
 * }</pre>
 */
public final class MessageInfo {
    private int length = -1;
    private int priority = -1;

    /** The length in bytes of the last message received with this holder, or -1 if none was. */
    public int length() {
        return length;
    }

    /** The priority (0 to {@link MessageQueue#MAX_PRIORITY}) of the last message received, or -1 if none was. */
    public int priority() {
        return priority;
    }

    void set(int length, int priority) {
        this.length = length;
        this.priority = priority;
    }

    void clear() {
        set(-1, -1);
    }

    @Override
    public String toString() {
        return "MessageInfo[length=" + length + ", priority=" + priority + "]";
    }
}
