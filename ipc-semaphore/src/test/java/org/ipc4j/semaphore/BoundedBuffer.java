package org.ipc4j.semaphore;

import java.io.IOException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.shm.RegionBytes;
import org.ipc4j.shm.SharedMemory;

/**
 * The textbook bounded buffer across processes: slots in shared memory, a semaphore counting empty slots,
 * one counting full slots, and a mutex around the indexes. This is the example of docs/semaphores.md
 * ("The bounded buffer"); BoundedBufferIT and BoundedBufferDocExampleTest run it.
 */
public final class BoundedBuffer implements AutoCloseable {
    private static final long IN = 0;     // next slot to fill (counts up forever)
    private static final long OUT = 8;    // next slot to empty
    private static final long SLOTS = 64; // first slot; 8 bytes each

    private final int capacity;
    private final SharedMemory memory;
    private final NamedSemaphore empty;
    private final NamedSemaphore full;
    private final NamedMutex mutex;

    private BoundedBuffer(int capacity, SharedMemory memory, NamedSemaphore empty, NamedSemaphore full,
            NamedMutex mutex) {
        this.capacity = capacity;
        this.memory = memory;
        this.empty = empty;
        this.full = full;
        this.mutex = mutex;
    }

    /** Creates the buffer's four named objects; fails if any exists. */
    public static BoundedBuffer create(String name, int capacity) throws IOException {
        return new BoundedBuffer(capacity,
                SharedMemory.open(name, SLOTS + 8L * capacity, OpenOptions.create()),
                NamedSemaphore.create("empty." + name, capacity), // every slot is free
                NamedSemaphore.create("full." + name, 0),         // no item yet
                NamedMutex.create("lock." + name));
    }

    /** Opens a buffer another process created. */
    public static BoundedBuffer open(String name, int capacity) throws IOException {
        return new BoundedBuffer(capacity,
                SharedMemory.open(name, SLOTS + 8L * capacity, OpenOptions.open()),
                NamedSemaphore.open("empty." + name),
                NamedSemaphore.open("full." + name),
                NamedMutex.open("lock." + name));
    }

    /** Adds an item, waiting while the buffer is full. */
    public void put(long item) throws IOException {
        empty.acquire();                       // wait for a free slot
        mutex.acquire();                       // other producers use the same index
        try {
            RegionBytes bytes = memory.bytes();
            long in = bytes.readVolatileLong(IN);
            bytes.writeLong(SLOTS + 8 * (in % capacity), item);
            bytes.writeVolatileLong(IN, in + 1);
        } finally {
            mutex.release();
        }
        full.release();                        // one more item for the consumers
    }

    /** Removes the oldest item, waiting while the buffer is empty. */
    public long take() throws IOException {
        full.acquire();                        // wait for an item
        long item;
        mutex.acquire();
        try {
            RegionBytes bytes = memory.bytes();
            long out = bytes.readVolatileLong(OUT);
            item = bytes.readLong(SLOTS + 8 * (out % capacity));
            bytes.writeVolatileLong(OUT, out + 1);
        } finally {
            mutex.release();
        }
        empty.release();                       // its slot is free again
        return item;
    }

    /** Removes the buffer's names; processes that have it open keep using it. */
    public static void unlink(String name) throws IOException {
        SharedMemory.unlink(name);
        NamedSemaphore.unlink("empty." + name);
        NamedSemaphore.unlink("full." + name);
        NamedMutex.unlink("lock." + name);
    }

    @Override
    public void close() throws IOException {
        try (memory; empty; full; mutex) {
            // closes all four, even if one fails
        }
    }
}
