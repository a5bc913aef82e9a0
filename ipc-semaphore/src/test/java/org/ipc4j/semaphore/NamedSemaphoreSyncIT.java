package org.ipc4j.semaphore;

import org.ipc4j.api.Sync;
import org.ipc4j.testkit.SyncContract;

/**
 * The {@link Sync} contract over a {@link NamedSemaphore} with one permit, two endpoints of it in this JVM
 * and one in a child JVM. NamedSemaphore documents that close wakes this endpoint's waiters with
 * {@code EndpointClosedException} and that waits are interruptible; the kit holds it to both.
 */
class NamedSemaphoreSyncIT extends SyncContract {

    /** Opens (creating with one permit) the semaphore named by the address, here and in the child. */
    public static final class Opener implements SyncContract.Opener {
        @Override
        public Sync open(String address) throws Exception {
            return NamedSemaphore.openOrCreate(address, 1);
        }
    }

    @Override
    protected SyncContract.Opener opener() {
        return new Opener();
    }

    @Override
    protected String newAddress() {
        String name = names.unique("sem");
        names.onCleanup(() -> NamedSemaphore.unlink(name));
        return name;
    }
}
