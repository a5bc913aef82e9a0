package org.ipc4j.testkit;

import java.util.Objects;
import org.ipc4j.api.Channel;

/**
 * Two connected ends of one channel, both in this process: what {@code a} sends, {@code b} receives, and
 * the other way round. Closing the pair closes both ends, ignoring failures.
 */
public record ChannelPair(Channel a, Channel b) implements AutoCloseable {
    public ChannelPair {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
    }

    @Override
    public void close() {
        closeQuietly(a);
        closeQuietly(b);
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // test clean-up: the first failure is the interesting one
        }
    }
}
