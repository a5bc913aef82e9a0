package org.ipc4j.bench.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.ipc4j.api.IpcException;
import org.ipc4j.shm.RingProducer;
import org.ipc4j.shm.ShmRing;
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
 * Producer throughput of 32-byte messages through a ring on mapped memory while a consumer thread drains
 * it: single producer (Agrona OneToOneRingBuffer against ipc4j's single-producer ShmRing) and two producers
 * (Agrona ManyToOneRingBuffer, one object shared by both threads as Agrona intends, against ipc4j's
 * multi-producer ShmRing with a producer end per thread, as each producer process has one). Each
 * producer call writes one message, spinning while the ring is full; read the producer lines
 * ({@code :offer}) as messages per second. The consumer's own op count is just its poll calls.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class RingThroughput {
    static final int MESSAGE = 32;

    /** One ring per group, shared by its producer(s) and consumer. */
    @State(Scope.Group)
    public static class AgronaSpsc {
        MappedMemory memory;
        RingBuffer ring;
        final AgronaRings.Sink sink = new AgronaRings.Sink();

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            memory = AgronaRings.memory("jo");
            ring = AgronaRings.oneToOne(memory);
        }

        @TearDown(Level.Iteration)
        public void checkIteration() {
            AgronaRings.checkMoved("Agrona one-to-one", sink.count);
            sink.count = 0;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            memory.close();
        }
    }

    /** Same, two producers. */
    @State(Scope.Group)
    public static class AgronaMpsc {
        MappedMemory memory;
        RingBuffer ring;
        final AgronaRings.Sink sink = new AgronaRings.Sink();

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            memory = AgronaRings.memory("jm");
            ring = AgronaRings.manyToOne(memory);
        }

        @TearDown(Level.Iteration)
        public void checkIteration() {
            AgronaRings.checkMoved("Agrona many-to-one", sink.count);
            sink.count = 0;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            memory.close();
        }
    }

    /** ipc4j single-producer ring, one per group. */
    @State(Scope.Group)
    public static class Ipc4jSpsc {
        Ipc4jRings rings;
        final Ipc4jRings.Sink sink = new Ipc4jRings.Sink();

        @Setup(Level.Trial)
        public void setUp() throws IpcException {
            rings = new Ipc4jRings("js", ShmRingConfig.Variant.SINGLE_PRODUCER);
        }

        @TearDown(Level.Iteration)
        public void checkIteration() {
            AgronaRings.checkMoved("ipc4j single-producer", sink.count);
            sink.count = 0;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IpcException {
            rings.close();
        }
    }

    /** ipc4j multi-producer ring, two producers. */
    @State(Scope.Group)
    public static class Ipc4jMpsc {
        Ipc4jRings rings;
        final Ipc4jRings.Sink sink = new Ipc4jRings.Sink();

        @Setup(Level.Trial)
        public void setUp() throws IpcException {
            rings = new Ipc4jRings("jmp", ShmRingConfig.Variant.MULTI_PRODUCER);
        }

        @TearDown(Level.Iteration)
        public void checkIteration() {
            AgronaRings.checkMoved("ipc4j multi-producer", sink.count);
            sink.count = 0;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IpcException {
            rings.close();
        }
    }

    /**
     * Each producer thread's own producer end of the group's multi-producer ring, as each producer process
     * has. (Threads may also share one ShmRing; those beyond the first then write their headers by CAS.)
     */
    @State(Scope.Thread)
    public static class OwnProducer {
        RingProducer producer;

        @Setup(Level.Trial)
        public void open(Ipc4jMpsc group) throws IpcException {
            producer = ShmRing.openProducer(group.rings.name, group.rings.config,
                    org.ipc4j.api.OpenOptions.open());
        }

        @TearDown(Level.Trial)
        public void close() throws IpcException {
            producer.close();
        }
    }

    /** Each producer thread's own source buffer. */
    @State(Scope.Thread)
    public static class Source {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE]);
        final ByteBuffer direct = ByteBuffer.allocateDirect(MESSAGE);
        long sequence;
    }

    static boolean write(RingBuffer ring, Source src, Control control) {
        src.message.putLong(0, ++src.sequence);
        while (!ring.write(AgronaRings.MSG_TYPE, src.message, 0, MESSAGE)) {
            if (control.stopMeasurement) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    @Benchmark
    @Group("agronaSpsc")
    @GroupThreads(1)
    public boolean offer(AgronaSpsc s, Source src, Control control) {
        return write(s.ring, src, control);
    }

    @Benchmark
    @Group("agronaSpsc")
    @GroupThreads(1)
    public int poll(AgronaSpsc s) {
        return s.ring.read(s.sink, 256);
    }

    @Benchmark
    @Group("agronaMpsc2")
    @GroupThreads(2)
    public boolean offerMany(AgronaMpsc s, Source src, Control control) {
        return write(s.ring, src, control);
    }

    @Benchmark
    @Group("agronaMpsc2")
    @GroupThreads(1)
    public int pollMany(AgronaMpsc s) {
        return s.ring.read(s.sink, 256);
    }

    /** The ipc4j producer path users take: copy a ByteBuffer in ({@code trySend}), spinning while full. */
    static boolean send(RingProducer ring, Source src, Control control) throws IpcException {
        src.direct.clear();
        src.direct.putLong(0, ++src.sequence);
        while (!ring.trySend(src.direct)) {
            if (control.stopMeasurement) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    @Benchmark
    @Group("ipc4jSpsc")
    @GroupThreads(1)
    public boolean offer(Ipc4jSpsc s, Source src, Control control) throws IpcException {
        return send(s.rings.producer, src, control);
    }

    @Benchmark
    @Group("ipc4jSpsc")
    @GroupThreads(1)
    public int poll(Ipc4jSpsc s) throws IpcException {
        return s.rings.consumer.read(s.sink, 256);
    }

    @Benchmark
    @Group("ipc4jMpsc2")
    @GroupThreads(2)
    public boolean offerMany(Ipc4jMpsc s, OwnProducer own, Source src, Control control) throws IpcException {
        return send(own.producer, src, control);
    }

    @Benchmark
    @Group("ipc4jMpsc2")
    @GroupThreads(1)
    public int pollMany(Ipc4jMpsc s) throws IpcException {
        return s.rings.consumer.read(s.sink, 256);
    }
}
