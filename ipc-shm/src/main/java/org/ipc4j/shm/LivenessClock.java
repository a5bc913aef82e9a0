package org.ipc4j.shm;

/** Rate limit for liveness checks made by the non-blocking operations of one endpoint. */
final class LivenessClock {
    private volatile long last = System.nanoTime() - RingWaits.LIVENESS_INTERVAL_NANOS;

    boolean due() {
        long now = System.nanoTime();
        if (now - last >= RingWaits.LIVENESS_INTERVAL_NANOS) {
            last = now;
            return true;
        }
        return false;
    }
}
