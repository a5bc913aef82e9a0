package org.ipc4j.mqueue;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcNames;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.OpenOptions;

/**
 * A duplex channel between two processes made of two POSIX message queues, one per direction: for the name
 * {@code NAME} side {@link Side#A A} sends on {@code NAME.a2b} and receives on {@code NAME.b2a}, side
 * {@link Side#B B} the other way round. Each process opens the channel with its own side; both may create
 * (with {@link OpenOptions#openOrCreate()} the first one creates, with the attributes it asks for). This is the
 * address {@code mq:/NAME?role=a} / {@code mq:/NAME?role=b}. The name must leave room for the 4-character
 * suffix: at most {@value #MAX_NAME_LENGTH} characters.
 *
 * <p>Sending, receiving, blocking, timeouts and closing behave as on {@link MessageQueue} (sending with
 * priority {@value MessageQueue#DEFAULT_PRIORITY}); {@link #outbound()} and {@link #inbound()} give the queues
 * for priorities and attributes. The peer's close or death cannot be observed through a message queue, so a
 * receive never throws {@link org.ipc4j.api.PeerGoneException}: use timeouts or an application-level goodbye.
 * {@link #unlink()} removes both names. The caller owns the channel and must close it.
 */
public final class MessageQueueChannel implements Channel, NamedObject {
    /** The longest base name: {@link IpcNames#MAX_LENGTH} minus the {@code .a2b} suffix. */
    public static final int MAX_NAME_LENGTH = IpcNames.MAX_LENGTH - 4;

    /** Which end of the channel this process is. */
    public enum Side {
        /** Sends on {@code NAME.a2b}, receives on {@code NAME.b2a}. */
        A,
        /** Sends on {@code NAME.b2a}, receives on {@code NAME.a2b}. */
        B;

        /** {@code "a"} or {@code "b"} (any case). */
        public static Side parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "a" -> A;
                case "b" -> B;
                default -> throw new IllegalArgumentException("role must be a or b, got \"" + s + "\"");
            };
        }
    }

    private final String name;
    private final Side side;
    private final MessageQueue outbound;
    private final MessageQueue inbound;
    /** Both message sizes are fixed when the queues are created: computed once, not on every send. */
    private final int maxMessageSize;

    private MessageQueueChannel(String name, Side side, MessageQueue outbound, MessageQueue inbound) {
        this.name = name;
        this.side = side;
        this.outbound = outbound;
        this.inbound = inbound;
        this.maxMessageSize = Math.min(outbound.maxMessageSize(), inbound.maxMessageSize());
    }

    /**
     * Opens side {@code side} of the channel {@code name}.
     *
     * @param maxMessages,maxMessageSize attributes of queues this call creates (0 for the system default)
     * @throws IllegalArgumentException for a bad name (including one longer than {@value #MAX_NAME_LENGTH})
     * @throws IpcException as {@link MessageQueue#open(String, OpenOptions, int, int)}; nothing stays open
     */
    public static MessageQueueChannel open(String name, Side side, OpenOptions options, int maxMessages,
            int maxMessageSize) throws IpcException {
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(options, "options");
        String bare = IpcNames.validate("message queue channel", name);
        if (bare.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("message queue channel name \"" + name + "\" has " + bare.length()
                    + " characters; at most " + MAX_NAME_LENGTH + " leave room for the suffix .a2b/.b2a");
        }
        String a2b = bare + ".a2b";
        String b2a = bare + ".b2a";
        MessageQueue out = MessageQueue.open(side == Side.A ? a2b : b2a, options, maxMessages, maxMessageSize);
        try {
            MessageQueue in = MessageQueue.open(side == Side.A ? b2a : a2b, options, maxMessages, maxMessageSize);
            return new MessageQueueChannel(name, side, out, in);
        } catch (IpcException | RuntimeException e) {
            try {
                out.close();
                if (out.created() && !options.unlinkOnClose()) {
                    out.unlink();
                }
            } catch (IpcException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The base name, as given. */
    @Override
    public String name() {
        return name;
    }

    /** Which side this end is. */
    public Side side() {
        return side;
    }

    /** The queue this side sends on. Owned by the channel: do not close it separately. */
    public MessageQueue outbound() {
        return outbound;
    }

    /** The queue this side receives from. Owned by the channel: do not close it separately. */
    public MessageQueue inbound() {
        return inbound;
    }

    @Override
    public int maxMessageSize() {
        return maxMessageSize;
    }

    @Override
    public void send(ByteBuffer message) throws IpcException, InterruptedIOException {
        outbound.send(checked(message));
    }

    @Override
    public boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
        return outbound.send(checked(message), timeout);
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IpcException {
        return outbound.trySend(checked(message));
    }

    /** The two queues may differ in message size if they were created separately: enforce the smaller. */
    private ByteBuffer checked(ByteBuffer message) throws IpcException {
        Objects.requireNonNull(message, "message");
        int max = maxMessageSize;
        if (message.remaining() > max) {
            if (!isOpen()) {
                throw new org.ipc4j.api.EndpointClosedException("message queue channel " + name);
            }
            throw new org.ipc4j.api.MessageTooLargeException("message queue channel " + name, message.remaining(), max);
        }
        return message;
    }

    @Override
    public int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
        return inbound.receive(destination);
    }

    @Override
    public int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
        return inbound.receive(destination, timeout);
    }

    @Override
    public int tryReceive(ByteBuffer destination) throws IpcException {
        return inbound.tryReceive(destination);
    }

    @Override
    public boolean isOpen() {
        return outbound.isOpen() && inbound.isOpen();
    }

    /** Closes both queues (and removes their names if opened with unlink-on-close). Idempotent. */
    @Override
    public void close() throws IpcException {
        IpcException failure = null;
        for (MessageQueue q : new MessageQueue[] {outbound, inbound}) {
            try {
                q.close();
            } catch (IpcException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Removes both queue names. Idempotent; works on a closed channel. */
    @Override
    public void unlink() throws IpcException {
        outbound.unlink();
        inbound.unlink();
    }

    /** Removes both queue names of channel {@code name}; returns whether any existed. */
    public static boolean unlink(String name) throws IpcException {
        String bare = IpcNames.validate("message queue channel", name);
        boolean a = MessageQueue.unlink(bare + ".a2b");
        boolean b = MessageQueue.unlink(bare + ".b2a");
        return a || b;
    }

    @Override
    public String toString() {
        return "MessageQueueChannel[" + name + ", side " + side + (isOpen() ? "" : ", closed") + "]";
    }
}
