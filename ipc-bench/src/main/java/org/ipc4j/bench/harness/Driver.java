package org.ipc4j.bench.harness;

import java.nio.ByteBuffer;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/**
 * The two halves of the measurement, identical for every mechanism. The parent times round trips (its
 * send to its receive of the echo, {@link System#nanoTime()}) and one-way throughput (first send to the
 * last acknowledgement); the child echoes and acknowledges. Buffers are direct and allocated once.
 */
public final class Driver {
    /** Size of an acknowledgement message in the throughput phase (0 when the mechanism carries no data). */
    static final int ACK = 8;

    private Driver() {
    }

    /** What the parent measured for one step. */
    public record Measured(Histogram latency, long throughputNanos, int messages) {
    }

    /** Runs one step on the parent side; {@code progress} gets the number of operations done so far. */
    public static Measured parent(Link link, Step step, boolean data, LongConsumer progress) throws Exception {
        int size = step.size();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.max(size, ACK));
        ByteBuffer in = ByteBuffer.allocateDirect(Math.max(size, ACK));
        for (int i = 0; i < size; i++) {
            out.put(i, (byte) i);
        }
        Histogram histogram = new Histogram(3_600_000_000_000L, 3);
        int total = step.warmup() + step.roundTrips();
        for (int i = 0; i < total; i++) {
            out.clear().limit(size);
            if (size >= 8) {
                out.putLong(0, i);
            }
            in.clear();
            long t0 = System.nanoTime();
            link.send(out);
            int length = link.receive(in);
            long t1 = System.nanoTime();
            if (i >= step.warmup()) {
                histogram.recordValue(t1 - t0);
            }
            if (data && (length != size || (size >= 8 && in.getLong(0) != i))) {
                throw new IllegalStateException("echo " + i + " came back wrong: length " + length + " (sent " + size
                        + "), sequence " + (size >= 8 ? in.getLong(0) : -1));
            }
            if ((i & 1023) == 0) {
                progress.accept(i);
            }
        }
        progress.accept(total);
        long nanos = 0;
        if (step.messages() > 0) {
            stream(link, out, in, size, step.throughputWarmup(), step.window(), progress, total);
            long t0 = System.nanoTime();
            stream(link, out, in, size, step.messages(), step.window(), progress, total + step.throughputWarmup());
            nanos = System.nanoTime() - t0;
        }
        progress.accept(total + step.throughputWarmup() + step.messages());
        return new Measured(histogram, nanos, step.messages());
    }

    private static void stream(Link link, ByteBuffer out, ByteBuffer in, int size, int count, int window,
            LongConsumer progress, long base) throws Exception {
        int acks = 0;
        for (int i = 0; i < count; i++) {
            while (i - acks * window >= 2 * window) {
                in.clear();
                link.receive(in);
                acks++;
            }
            out.clear().limit(size);
            link.send(out);
            if ((i & 1023) == 0) {
                progress.accept(base + i);
            }
        }
        int expected = (count + window - 1) / window;
        while (acks < expected) {
            in.clear();
            link.receive(in);
            acks++;
        }
    }

    /** Runs one step on the child side: echo every round trip, then absorb and acknowledge the stream. */
    public static void child(Link link, Step step, boolean data) throws Exception {
        int size = step.size();
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(size, ACK));
        int total = step.warmup() + step.roundTrips();
        for (int i = 0; i < total; i++) {
            buffer.clear();
            int length = link.receive(buffer);
            buffer.flip();
            if (data && length != size) {
                throw new IllegalStateException("round trip " + i + ": got " + length + " bytes, expected " + size);
            }
            link.send(buffer);
        }
        if (step.messages() > 0) {
            absorb(link, buffer, data, step.throughputWarmup(), step.window());
            absorb(link, buffer, data, step.messages(), step.window());
        }
    }

    private static void absorb(Link link, ByteBuffer buffer, boolean data, int count, int window) throws Exception {
        for (int i = 0; i < count; i++) {
            buffer.clear();
            link.receive(buffer);
            if ((i + 1) % window == 0 || i + 1 == count) {
                buffer.clear().limit(data ? ACK : 0);
                link.send(buffer);
            }
        }
    }
}
