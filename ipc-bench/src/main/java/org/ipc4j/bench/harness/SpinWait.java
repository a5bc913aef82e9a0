package org.ipc4j.bench.harness;

import org.ipc4j.api.EndpointClosedException;

/** Busy-spin helper for the reference links: checks the closed flag every few thousand spins. */
final class SpinWait {
    private SpinWait() {
    }

    static void check(int spins, Link link, boolean closed) throws EndpointClosedException {
        if ((spins & 0xFFF) == 0 && closed) {
            throw new EndpointClosedException(link.getClass().getSimpleName() + " (closed while spinning: peer gone or run aborted)");
        }
    }
}
