package org.ipc4j.shm.internal;

import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.internal.posix.ByteLocks;
import org.ipc4j.shm.RegionAccess;
import org.ipc4j.shm.SharedMemory;

/**
 * A producer process stopped where a multi-producer claim is most fragile: {@code NAME} attaches as a
 * producer of the existing multi-producer ring NAME, moves the tail for a 40-byte record (naming the claim in
 * its slot), prints "RESERVED" (and its pid as it sees it) and sleeps without ever writing the record's header, until killed. Exit 1
 * with a stack trace on failure.
 */
public final class ReservingProducerTestApp {
    private ReservingProducerTestApp() {
    }

    public static void main(String[] args) {
        try (SharedMemory region = SharedMemory.open(args[0], OpenOptions.open())) {
            RingMemory memory = RingMemory.attach(RegionAccess.store(region), 0, region.path(), RingLayout.KIND_RING,
                    RingLayout.VARIANT_MPSC);
            // as ShmRing does: the slot's kernel lock is what tells the consumer this producer lives
            memory.liveness(ByteLocks.unavailableReason() == null ? ByteLocks.open(region.path(), null, "reserver") : null);
            RingWriter ring = new RingWriter(memory);
            if (!ring.attach()) {
                throw new IllegalStateException("no producer slot");
            }
            long at = ring.claims.reserve(RingLayout.align(RingLayout.RECORD_HEADER + 40), true);
            System.out.println("RESERVED " + at + " pid " + ProcessHandle.current().pid());
            System.out.flush();
            Thread.sleep(600_000);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
    }
}
