package org.ipc4j.shm.internal;

import java.nio.MappedByteBuffer;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.PointerBytesStore;

/**
 * The optional Chronicle Bytes view of a mapping: the only class of ipc-shm that refers to Chronicle, loaded
 * only when a user asks for that view. Chronicle logs at its first use and accesses memory through
 * {@code sun.misc.Unsafe}.
 */
public final class ChronicleView {
    static {
        ChronicleSupport.init();
    }

    private ChronicleView() {
    }

    /** The view of {@code store}, typed for the public API. */
    @SuppressWarnings("unchecked")
    public static BytesStore<?, ?> of(MappedStore store) {
        return (BytesStore<?, ?>) store.chronicle();
    }

    static Object create(MappedStore store) {
        return new Store(store.mapping(), store.address(), store.capacity());
    }

    static void release(Object view) {
        try {
            ((Store) view).releaseLast();
        } catch (RuntimeException ignored) {
            // already released
        }
    }

    /**
     * A Chronicle store over the mapping that keeps the mapping reachable for as long as the store itself is.
     * A plain {@code BytesStore.wrap(address, size)} would hold the raw address only, and a store that
     * outlived its buffer would read unmapped memory. Once released Chronicle throws on every access.
     */
    static final class Store extends PointerBytesStore {
        @SuppressWarnings("unused")
        private final MappedByteBuffer mapping;

        Store(MappedByteBuffer mapping, long address, long size) {
            this.mapping = mapping;
            set(address, size);
        }
    }
}
