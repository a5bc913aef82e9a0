package org.ipc4j.api;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

/**
 * The receiving end of a message channel. Each receive takes exactly one whole message, in the order the
 * sender sent them.
 *
 * <p>A message is copied into the destination at its position, which advances by the message length. If
 * the destination has fewer bytes remaining than the message, {@link BufferTooSmallException} is thrown
 * and the message stays queued: nothing is lost.
 *
 * <p>When the peer is gone, messages it completed before are still received; after them a receive
 * throws {@link PeerGoneException}.
 */
public interface Receiver extends Endpoint {

    /** Returned by the timed and try forms when no message was available. */
    int NO_MESSAGE = -1;

    /**
     * Receives the next message, waiting as long as there is none.
     *
     * @param destination where the message is copied, from its position, which advances by the length
     * @return the message length in bytes (0 for an empty message)
     * @throws BufferTooSmallException if {@code destination} cannot hold the message; nothing is consumed
     * @throws EndpointClosedException if this endpoint is closed, before or during the wait
     * @throws PeerGoneException if no message is queued and none can arrive any more
     * @throws InterruptedIOException if the thread is interrupted while waiting
     */
    int receive(ByteBuffer destination) throws IpcException, InterruptedIOException;

    /**
     * Receives the next message, waiting at most {@code timeout}.
     *
     * @param destination where the message is copied, from its position, which advances by the length
     * @param timeout how long to wait for a message; zero or negative does not wait
     * @return the message length, or {@link #NO_MESSAGE} if the timeout elapsed first
     * @throws BufferTooSmallException if {@code destination} cannot hold the message; nothing is consumed
     * @throws EndpointClosedException if this endpoint is closed
     * @throws PeerGoneException if no message is queued and none can arrive any more
     * @throws InterruptedIOException if the thread is interrupted while waiting
     */
    int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException;

    /**
     * Receives the next message if one is queued, without waiting.
     *
     * @param destination where the message is copied, from its position, which advances by the length
     * @return the message length, or {@link #NO_MESSAGE} if none is queued
     * @throws BufferTooSmallException if {@code destination} cannot hold the message; nothing is consumed
     * @throws EndpointClosedException if this endpoint is closed
     * @throws PeerGoneException if no message is queued and none can arrive any more
     */
    int tryReceive(ByteBuffer destination) throws IpcException;

    /**
     * The largest message this receiver can deliver; a destination of this size never fails for size.
     *
     * @return the maximum in bytes
     */
    int maxMessageSize();

    /**
     * Receives the next message into a new array, waiting as long as there is none. Allocates a buffer of
     * {@link #maxMessageSize()} bytes per call: use {@link #receive(ByteBuffer)} on a hot path.
     *
     * @return the message, an array of its length
     * @throws IpcException as {@link #receive(ByteBuffer)}, except that the array always fits
     * @throws InterruptedIOException if the thread is interrupted while waiting
     */
    default byte[] receive() throws IpcException, InterruptedIOException {
        ByteBuffer buffer = ByteBuffer.allocate(maxMessageSize());
        int length = receive(buffer);
        return Arrays.copyOf(buffer.array(), length);
    }

    /**
     * Receives the next message into a new array, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait for a message; zero or negative does not wait
     * @return the message, or {@code null} if the timeout elapsed first
     * @throws IpcException as {@link #receive(ByteBuffer, Duration)}, except that the array always fits
     * @throws InterruptedIOException if the thread is interrupted while waiting
     */
    default byte[] receive(Duration timeout) throws IpcException, InterruptedIOException {
        ByteBuffer buffer = ByteBuffer.allocate(maxMessageSize());
        int length = receive(buffer, timeout);
        return length == NO_MESSAGE ? null : Arrays.copyOf(buffer.array(), length);
    }
}
