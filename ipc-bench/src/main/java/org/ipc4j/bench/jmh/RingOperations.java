package org.ipc4j.bench.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.ipc4j.api.IpcException;
import org.ipc4j.shm.RegionBytes;
import org.ipc4j.shm.ShmRingConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Single-thread costs on a ring in mapped memory, no contention: a zero-copy claim, fill 32 bytes, commit
 * and read back ({@code claimCommit}); and 64 writes followed by one batch read of all 64
 * ({@code batchRead}, reported per message: it includes the writes); and one message copied in from a direct
 * buffer and out to another ({@code sendReceive}: what a channel user's send plus receive costs on the CPU,
 * without the hand-off between cores; {@code ipc4jSendReceiveArray} the same with {@code byte[] receive()}).
 * Agrona against ipc4j, same run. Nanoseconds per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class RingOperations {
    static final int MESSAGE = 32;
    static final int BATCH = 64;

    MappedMemory memory;
    RingBuffer agrona;
    final AgronaRings.Sink sink = new AgronaRings.Sink();
    final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE]);

    Ipc4jRings ipc4j;
    final Ipc4jRings.Sink ipc4jSink = new Ipc4jRings.Sink();
    final ByteBuffer direct = ByteBuffer.allocateDirect(MESSAGE);
    final ByteBuffer received = ByteBuffer.allocateDirect(MESSAGE);
    final UnsafeBuffer directView = new UnsafeBuffer(direct);
    final org.agrona.concurrent.MessageHandler copyOut = (type, buffer, index, length) -> {
        buffer.getBytes(index, received, 0, length);
        sink.sum += received.getLong(0);
        sink.count++;
    };

    /** Single-producer rings (Agrona one-to-one) or multi-producer rings (many-to-one), used by one thread. */
    @Param({"spsc", "mpsc"})
    public String variant;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        memory = AgronaRings.memory("jops");
        boolean many = variant.equals("mpsc");
        agrona = many ? AgronaRings.manyToOne(memory) : AgronaRings.oneToOne(memory);
        ipc4j = new Ipc4jRings("jopi", many ? ShmRingConfig.Variant.MULTI_PRODUCER : ShmRingConfig.Variant.SINGLE_PRODUCER);
    }

    @TearDown(Level.Iteration)
    public void checkIteration() {
        // Only one of the two rings is used by any one benchmark method.
        AgronaRings.checkMoved("ring operations", sink.count + ipc4jSink.count);
        sink.count = 0;
        ipc4jSink.count = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        memory.close();
        ipc4j.close();
    }

    @Benchmark
    public long ipc4jClaimCommit() throws IpcException {
        long at = ipc4j.producer.tryClaim(MESSAGE);
        if (at >= 0) {
            RegionBytes bytes = ipc4j.producer.bytes();
            bytes.writeLong(at, at);
            bytes.writeLong(at + 8, 1);
            bytes.writeLong(at + 16, 2);
            bytes.writeLong(at + 24, 3);
            ipc4j.producer.commit(at);
        }
        ipc4j.consumer.read(ipc4jSink, 1);
        return ipc4jSink.sum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ipc4jBatchRead() throws IpcException {
        for (int i = 0; i < BATCH; i++) {
            direct.clear();
            direct.putLong(0, i);
            ipc4j.producer.trySend(direct);
        }
        ipc4j.consumer.read(ipc4jSink, BATCH);
        return ipc4jSink.sum;
    }

    @Benchmark
    public long agronaClaimCommit() {
        int index = agrona.tryClaim(AgronaRings.MSG_TYPE, MESSAGE);
        if (index > 0) {
            UnsafeBuffer buffer = (UnsafeBuffer) agrona.buffer();
            buffer.putLong(index, index);
            buffer.putLong(index + 8, 1);
            buffer.putLong(index + 16, 2);
            buffer.putLong(index + 24, 3);
            agrona.commit(index);
        }
        agrona.read(sink, 1);
        return sink.sum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long agronaBatchRead() {
        for (int i = 0; i < BATCH; i++) {
            message.putLong(0, i);
            agrona.write(AgronaRings.MSG_TYPE, message, 0, MESSAGE);
        }
        agrona.read(sink, BATCH);
        return sink.sum;
    }

    @Benchmark
    public long ipc4jSendReceive() throws IpcException {
        direct.clear();
        direct.putLong(0, ipc4jSink.count);
        ipc4j.producer.trySend(direct);
        received.clear();
        if (ipc4j.consumer.tryReceive(received) >= 0) {
            ipc4jSink.sum += received.getLong(0);
            ipc4jSink.count++;
        }
        return ipc4jSink.sum;
    }

    /**
     * As {@link #ipc4jSendReceive}, with the README's {@code byte[] receive()}: an array of exactly the message's
     * size per message (the message is always there, so the receive never waits).
     */
    @Benchmark
    public long ipc4jSendReceiveArray() throws IpcException, java.io.InterruptedIOException {
        direct.clear();
        direct.putLong(0, ipc4jSink.count);
        ipc4j.producer.trySend(direct);
        byte[] message = ipc4j.consumer.receive();
        ipc4jSink.sum += message.length + message[0];
        ipc4jSink.count++;
        return ipc4jSink.sum;
    }

    @Benchmark
    public long agronaSendReceive() {
        direct.clear();
        direct.putLong(0, sink.count);
        agrona.write(AgronaRings.MSG_TYPE, directView, 0, MESSAGE);
        agrona.read(copyOut, 1);
        return sink.sum;
    }
}
