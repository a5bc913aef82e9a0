package org.ipc4j.bench.jmh;

import java.io.IOException;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/** Agrona ring buffers on mapped memory, the baselines of every ring benchmark. */
final class AgronaRings {
    /** Data capacity of every benchmark ring: 1 MiB, as the ipc4j rings use. */
    static final int CAPACITY = 1 << 20;
    static final int MSG_TYPE = 1;

    private AgronaRings() {
    }

    static RingBuffer oneToOne(MappedMemory memory) {
        return new OneToOneRingBuffer(new UnsafeBuffer(memory.buffer(), 0, CAPACITY + RingBufferDescriptor.TRAILER_LENGTH));
    }

    static RingBuffer manyToOne(MappedMemory memory) {
        return new ManyToOneRingBuffer(new UnsafeBuffer(memory.buffer(), 0, CAPACITY + RingBufferDescriptor.TRAILER_LENGTH));
    }

    static MappedMemory memory(String tag) throws IOException {
        return new MappedMemory(tag, CAPACITY + RingBufferDescriptor.TRAILER_LENGTH);
    }

    /** Reads each message's first long, so the consumer really touches the bytes. */
    static final class Sink implements MessageHandler {
        long sum;
        long count;

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            sum += buffer.getLong(index);
            count++;
        }
    }

    /** Fails the benchmark when an iteration moved no message: a benchmark that does nothing must not score. */
    static void checkMoved(String what, long count) {
        if (count == 0) {
            throw new IllegalStateException(what + ": no message was read in this iteration");
        }
    }
}
