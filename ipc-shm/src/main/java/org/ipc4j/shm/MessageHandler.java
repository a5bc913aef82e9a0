package org.ipc4j.shm;

/**
 * Receives messages from {@link RingConsumer#read(MessageHandler, int)} without copying them: the message is the
 * {@code length} bytes at {@code offset} in {@code region} (the ring's {@link RegionBytes}), valid only during the call (the ring reuses the
 * space as soon as the handler returns). Copy what you need to keep.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Called once per message, in order, on the reading thread. An exception thrown here propagates out of
     * {@code read}; the message counts as consumed.
     */
    void onMessage(RegionBytes region, long offset, int length);
}
