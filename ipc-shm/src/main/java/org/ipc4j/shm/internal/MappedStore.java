package org.ipc4j.shm.internal;

import java.nio.MappedByteBuffer;
import net.openhft.chronicle.bytes.PointerBytesStore;

/**
 * A Chronicle store over a file mapping that keeps the mapping reachable for as long as the store itself is
 * reachable.
 *
 * <p>Why: the JDK unmaps a {@link MappedByteBuffer} only when the buffer becomes unreachable. A plain
 * {@code BytesStore.wrap(address, size)} holds the raw address only, so a store that outlived its buffer
 * would read unmapped memory and crash the JVM. Holding the buffer here makes that impossible: the pages
 * stay mapped while anyone can still reach the store. Closing the owner releases the store, after which
 * Chronicle throws on every access (its memory accessor is cleared; the address stays valid, so even a
 * racing access reads mapped memory instead of crashing).
 */
public final class MappedStore extends PointerBytesStore {
    private final MappedByteBuffer mapping;

    public MappedStore(MappedByteBuffer mapping, long address, long size) {
        this.mapping = mapping;
        set(address, size);
    }

    /** The JDK mapping behind this store. */
    public MappedByteBuffer mapping() {
        return mapping;
    }
}
