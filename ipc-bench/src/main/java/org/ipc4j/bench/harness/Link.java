package org.ipc4j.bench.harness;

import java.nio.ByteBuffer;

/**
 * One end of a two-way path between the benchmark's two processes, the smallest surface the driver needs:
 * send a message, receive one. {@link ChannelLink} adapts every ipc4j {@code Channel}; the reference
 * mechanisms (cache-line ping-pong, Agrona ring, semaphores) implement it directly.
 *
 * <p>Both operations block (or spin) until done. {@link #close()} may be called from another thread (the
 * watchdog) and must make a blocked operation end with an exception within a bounded time.
 */
public interface Link extends AutoCloseable {

    /** Sends the bytes between the buffer's position and limit as one message. */
    void send(ByteBuffer message) throws Exception;

    /** Receives one message into the buffer at its position; returns its length. */
    int receive(ByteBuffer destination) throws Exception;

    /** Releases this process's handle; wakes a blocked {@link #send} or {@link #receive}. Never throws. */
    @Override
    void close();
}
