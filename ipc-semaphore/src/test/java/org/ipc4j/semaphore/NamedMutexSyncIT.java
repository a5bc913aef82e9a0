package org.ipc4j.semaphore;

import org.ipc4j.api.Sync;
import org.ipc4j.testkit.SyncContract;

/**
 * The {@link Sync} contract over a {@link NamedMutex}, two endpoints of it in this JVM and one in a child
 * JVM. NamedMutex documents that close releases a held lock and wakes this endpoint's waiters with
 * {@code EndpointClosedException}, and that waits are interruptible; the kit holds it to both.
 */
class NamedMutexSyncIT extends SyncContract {

    /** Opens (creating) the mutex named by the address, here and in the child. */
    public static final class Opener implements SyncContract.Opener {
        @Override
        public Sync open(String address) throws Exception {
            return NamedMutex.openOrCreate(address);
        }
    }

    @Override
    protected SyncContract.Opener opener() {
        return new Opener();
    }

    @Override
    protected String newAddress() {
        String name = names.unique("mutex");
        names.onCleanup(() -> NamedMutex.unlink(name));
        return name;
    }
}
