package org.ipc4j.bench.harness;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;

/**
 * The physical floor: two processes hand a counter back and forth through two cache lines of a mapped
 * file, one line per direction, busy-spinning. No payload moves, no system call happens: what remains is
 * the cost of moving a cache line between two cores and back.
 */
final class CacheLineLink implements Link {
    /** 128 bytes apart: adjacent-line prefetch must not couple the two directions. */
    static final int LINE = 128;
    static final int FILE_SIZE = 2 * LINE;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final MappedByteBuffer memory;
    private final int outOffset;
    private final int inOffset;
    private long sent;
    private long received;
    private volatile boolean closed;

    CacheLineLink(MappedByteBuffer memory, boolean parent) {
        this.memory = memory;
        this.outOffset = parent ? 0 : LINE;
        this.inOffset = parent ? LINE : 0;
    }

    @Override
    public void send(ByteBuffer message) {
        LONGS.setRelease(memory, outOffset, ++sent);
    }

    @Override
    public int receive(ByteBuffer destination) throws Exception {
        long expected = received + 1;
        int spins = 0;
        while ((long) LONGS.getAcquire(memory, inOffset) < expected) {
            Thread.onSpinWait();
            SpinWait.check(++spins, this, closed);
        }
        received = expected;
        return 0;
    }

    @Override
    public void close() {
        closed = true;
    }
}
