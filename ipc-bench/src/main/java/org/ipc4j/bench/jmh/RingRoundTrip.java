package org.ipc4j.bench.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.ipc4j.api.IpcException;
import org.ipc4j.shm.ShmRingConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Control;

/**
 * Cross-thread round trip of a 32-byte message over two rings (one per direction) on mapped memory, both
 * sides busy-spinning: the {@code ping} line is the round-trip time. (The cross-process round trip is in
 * the comparison harness: mechanisms {@code agrona} and {@code shm}.)
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class RingRoundTrip {
    static final int MESSAGE = 32;

    @State(Scope.Group)
    public static class AgronaPair {
        MappedMemory pingMemory;
        MappedMemory pongMemory;
        RingBuffer ping;
        RingBuffer pong;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            pingMemory = AgronaRings.memory("rta");
            pongMemory = AgronaRings.memory("rtb");
            ping = AgronaRings.oneToOne(pingMemory);
            pong = AgronaRings.oneToOne(pongMemory);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            pingMemory.close();
            pongMemory.close();
        }
    }

    /** Per-thread scratch: the message and a handler that copies it out. */
    @State(Scope.Thread)
    public static class Side implements MessageHandler {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE]);
        final UnsafeBuffer received = new UnsafeBuffer(new byte[MESSAGE]);
        long count;

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            buffer.getBytes(index, received, 0, length);
            count++;
        }

        @TearDown(Level.Iteration)
        public void checkIteration() {
            AgronaRings.checkMoved("Agrona round trip", count);
            count = 0;
        }
    }

    @Benchmark
    @Group("agrona")
    @GroupThreads(1)
    public long ping(AgronaPair p, Side side, Control control) {
        while (!p.ping.write(AgronaRings.MSG_TYPE, side.message, 0, MESSAGE)) {
            if (control.stopMeasurement) {
                return 0;
            }
            Thread.onSpinWait();
        }
        while (p.pong.read(side, 1) == 0) {
            if (control.stopMeasurement) {
                return 0;
            }
            Thread.onSpinWait();
        }
        return side.received.getLong(0);
    }

    @Benchmark
    @Group("agrona")
    @GroupThreads(1)
    public long pong(AgronaPair p, Side side, Control control) {
        while (p.ping.read(side, 1) == 0) {
            if (control.stopMeasurement) {
                return 0;
            }
            Thread.onSpinWait();
        }
        while (!p.pong.write(AgronaRings.MSG_TYPE, side.received, 0, MESSAGE)) {
            if (control.stopMeasurement) {
                return 0;
            }
            Thread.onSpinWait();
        }
        return 1;
    }

    /** Two ipc4j rings, one per direction. */
    @State(Scope.Group)
    public static class Ipc4jPair {
        Ipc4jRings ping;
        Ipc4jRings pong;

        @Setup(Level.Trial)
        public void setUp() throws IpcException {
            ping = new Ipc4jRings("rti", ShmRingConfig.Variant.SINGLE_PRODUCER);
            pong = new Ipc4jRings("rto", ShmRingConfig.Variant.SINGLE_PRODUCER);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IpcException {
            ping.close();
            pong.close();
        }
    }

    /** Per-thread scratch for the ipc4j pair: a direct buffer copied in and out, as a channel user does. */
    @State(Scope.Thread)
    public static class Ipc4jSide {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(MESSAGE);
        long count;

        @TearDown(Level.Iteration)
        public void checkIteration() {
            AgronaRings.checkMoved("ipc4j round trip", count);
            count = 0;
        }
    }

    @Benchmark
    @Group("ipc4j")
    @GroupThreads(1)
    public long ping(Ipc4jPair p, Ipc4jSide side, Control control) throws IpcException {
        side.buffer.clear();
        while (!p.ping.producer.trySend(side.buffer)) {
            if (control.stopMeasurement) {
                return 0;
            }
            Thread.onSpinWait();
        }
        side.buffer.clear();
        while (p.pong.consumer.tryReceive(side.buffer) < 0) {
            if (control.stopMeasurement) {
                return 0;
            }
            Thread.onSpinWait();
        }
        side.count++;
        return side.buffer.getLong(0);
    }

    @Benchmark
    @Group("ipc4j")
    @GroupThreads(1)
    public long pong(Ipc4jPair p, Ipc4jSide side, Control control) throws IpcException {
        side.buffer.clear();
        while (p.ping.consumer.tryReceive(side.buffer) < 0) {
            if (control.stopMeasurement) {
                return 0;
            }
            Thread.onSpinWait();
        }
        side.count++;
        side.buffer.flip();
        while (!p.pong.producer.trySend(side.buffer)) {
            if (control.stopMeasurement) {
                return 0;
            }
            Thread.onSpinWait();
        }
        return 1;
    }
}
