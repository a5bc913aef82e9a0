package org.ipc4j.mqueue;

import org.ipc4j.testkit.NamedObjects;

/** Fresh queue names for tests, each removed after the test even when it fails. */
final class Queues {
    private Queues() {
    }

    /** A unique queue name (no leading slash), unlinked after the test. */
    static String name(NamedObjects names, String prefix) {
        String name = names.unique(prefix);
        names.onCleanup(() -> MessageQueue.unlink(name));
        return name;
    }

    /** A unique channel base name; both of its queues are unlinked after the test. */
    static String channelName(NamedObjects names, String prefix) {
        String name = names.unique(prefix);
        names.onCleanup(() -> MessageQueueChannel.unlink(name));
        return name;
    }
}
