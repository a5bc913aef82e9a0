package org.ipc4j.mqueue;

import java.util.Objects;

/**
 * A received message with its priority, as delivered by {@link MessageQueue#receiveAsync()}. The array is the
 * receiver's own copy.
 *
 * @param payload the message bytes
 * @param priority 0 to {@link MessageQueue#MAX_PRIORITY}
 */
public record QueuedMessage(byte[] payload, int priority) {
    /** @throws NullPointerException if {@code payload} is null */
    public QueuedMessage {
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueuedMessage m && m.priority == priority && java.util.Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(payload) + priority;
    }

    @Override
    public String toString() {
        return "QueuedMessage[" + payload.length + " bytes, priority " + priority + "]";
    }
}
