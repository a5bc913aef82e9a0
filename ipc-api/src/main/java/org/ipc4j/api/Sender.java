package org.ipc4j.api;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * The sending end of a message channel. A message is the bytes between a buffer's position and limit; it
 * arrives whole and separately from its neighbours, or not at all. Messages from one sender arrive in the
 * order they were sent.
 *
 * <p>Three forms, like the JDK's blocking queues: {@link #send(ByteBuffer)} waits while the channel is full
 * (backpressure), {@link #send(ByteBuffer, Duration)} waits at most a timeout, {@link #trySend(ByteBuffer)}
 * never waits. On success the source's position advances to its limit; on a timeout or a {@code false}
 * from {@code trySend} it is unchanged and nothing was sent.
 *
 * <p>Waits are interruptible: an interrupted thread gets {@link java.io.InterruptedIOException} with its
 * interrupt status set, and nothing was sent.
 *
 * @see Receiver
 */
public interface Sender extends Endpoint {

    /**
     * Sends one message, waiting as long as the channel has no room for it.
     *
     * @param message the bytes from its position to its limit; on return the position is at the limit
     * @throws MessageTooLargeException if the message exceeds {@link #maxMessageSize()}; nothing is sent
     * @throws EndpointClosedException if this endpoint is closed, before or during the wait
     * @throws PeerGoneException if the receiving side is known to be gone
     * @throws java.io.InterruptedIOException if the thread is interrupted while waiting
     */
    void send(ByteBuffer message) throws IpcException, java.io.InterruptedIOException;

    /**
     * Sends one message, waiting at most {@code timeout} for room.
     *
     * @param message the bytes from its position to its limit; the position moves to the limit if sent
     * @param timeout how long to wait for room; zero or negative does not wait
     * @return {@code true} if sent, {@code false} if the timeout elapsed first (nothing sent)
     * @throws MessageTooLargeException if the message exceeds {@link #maxMessageSize()}
     * @throws EndpointClosedException if this endpoint is closed
     * @throws PeerGoneException if the receiving side is known to be gone
     * @throws java.io.InterruptedIOException if the thread is interrupted while waiting
     */
    boolean send(ByteBuffer message, Duration timeout) throws IpcException, java.io.InterruptedIOException;

    /**
     * Sends one message if that is possible without waiting.
     *
     * @param message the bytes from its position to its limit; the position moves to the limit if sent
     * @return {@code true} if sent, {@code false} if the channel is full right now
     * @throws MessageTooLargeException if the message exceeds {@link #maxMessageSize()}
     * @throws EndpointClosedException if this endpoint is closed
     * @throws PeerGoneException if the receiving side is known to be gone
     */
    boolean trySend(ByteBuffer message) throws IpcException;

    /**
     * The largest message this sender accepts.
     *
     * @return the maximum in bytes
     */
    int maxMessageSize();

    /**
     * Sends the whole array as one message, waiting for room. See {@link #send(ByteBuffer)}.
     *
     * @param message the message; not kept after the call
     * @throws IpcException as {@link #send(ByteBuffer)}
     * @throws java.io.InterruptedIOException if the thread is interrupted while waiting
     */
    default void send(byte[] message) throws IpcException, java.io.InterruptedIOException {
        send(ByteBuffer.wrap(Objects.requireNonNull(message, "message")));
    }

    /**
     * Sends {@code length} bytes of the array from {@code offset} as one message. See {@link #send(ByteBuffer)}.
     *
     * @param message the array holding the message; not kept after the call
     * @param offset where the message starts in {@code message}
     * @param length the message's length in bytes
     * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not lie within the array
     * @throws IpcException as {@link #send(ByteBuffer)}
     * @throws java.io.InterruptedIOException if the thread is interrupted while waiting
     */
    default void send(byte[] message, int offset, int length) throws IpcException, java.io.InterruptedIOException {
        send(ByteBuffer.wrap(Objects.requireNonNull(message, "message"), offset, length));
    }

    /**
     * Sends the whole array as one message, waiting at most {@code timeout}. See {@link #send(ByteBuffer, Duration)}.
     *
     * @param message the message; not kept after the call
     * @param timeout how long to wait for room; zero or negative does not wait
     * @return {@code true} if sent, {@code false} if the timeout elapsed first (nothing sent)
     * @throws IpcException as {@link #send(ByteBuffer, Duration)}
     * @throws java.io.InterruptedIOException if the thread is interrupted while waiting
     */
    default boolean send(byte[] message, Duration timeout) throws IpcException, java.io.InterruptedIOException {
        return send(ByteBuffer.wrap(Objects.requireNonNull(message, "message")), timeout);
    }

    /**
     * Sends the whole array as one message if possible without waiting. See {@link #trySend(ByteBuffer)}.
     *
     * @param message the message; not kept after the call
     * @return {@code true} if sent, {@code false} if the channel is full right now
     * @throws IpcException as {@link #trySend(ByteBuffer)}
     */
    default boolean trySend(byte[] message) throws IpcException {
        return trySend(ByteBuffer.wrap(Objects.requireNonNull(message, "message")));
    }
}
