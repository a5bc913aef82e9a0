package org.ipc4j.shm;

import org.ipc4j.shm.internal.MappedStore;

/** Test access to the mapping behind a region, for the tests of the internal ring classes. */
public final class RegionAccess {
    private RegionAccess() {
    }

    public static MappedStore store(SharedMemory region) {
        return region.store();
    }
}
