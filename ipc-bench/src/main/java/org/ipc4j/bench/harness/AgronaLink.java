package org.ipc4j.bench.harness;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The reference ring: two Agrona {@link OneToOneRingBuffer}s in one mapped file, one per direction, with a
 * busy-spinning wait on both sides (Agrona leaves waiting to the caller; spinning is its fastest form).
 * Messages are copied in from and out to the caller's buffers, as every channel does.
 */
final class AgronaLink implements Link {
    /** Per direction: room for a 1 MiB message (Agrona allows capacity / 8) plus headroom. */
    static final int CAPACITY = 16 << 20;
    static final int FILE_SIZE = 2 * (CAPACITY + RingBufferDescriptor.TRAILER_LENGTH);
    private static final int MSG_TYPE = 1;

    private final OneToOneRingBuffer out;
    private final OneToOneRingBuffer in;
    private final UnsafeBuffer sendView = new UnsafeBuffer(0, 0);
    /** Made once: a method reference evaluated per call allocates, and garbage shows in the parent's tail. */
    private final MessageHandler handler = this::onMessage;
    private ByteBuffer target;
    private int lastLength;
    private volatile boolean closed;

    AgronaLink(MappedByteBuffer memory, boolean parent) {
        int half = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
        OneToOneRingBuffer first = new OneToOneRingBuffer(new UnsafeBuffer(memory, 0, half));
        OneToOneRingBuffer second = new OneToOneRingBuffer(new UnsafeBuffer(memory, half, half));
        this.out = parent ? first : second;
        this.in = parent ? second : first;
    }

    @Override
    public void send(ByteBuffer message) throws Exception {
        int length = message.remaining();
        sendView.wrap(message, message.position(), length);
        int spins = 0;
        while (!out.write(MSG_TYPE, sendView, 0, length)) {
            Thread.onSpinWait();
            SpinWait.check(++spins, this, closed);
        }
        message.position(message.limit());
    }

    @Override
    public int receive(ByteBuffer destination) throws Exception {
        target = destination;
        int spins = 0;
        while (in.read(handler, 1) == 0) {
            Thread.onSpinWait();
            SpinWait.check(++spins, this, closed);
        }
        return lastLength;
    }

    private void onMessage(int type, MutableDirectBuffer buffer, int index, int length) {
        buffer.getBytes(index, target, target.position(), length);
        target.position(target.position() + length);
        lastLength = length;
    }

    @Override
    public void close() {
        closed = true;
    }
}
