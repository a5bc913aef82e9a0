package org.ipc4j.mqueue;

import java.io.InterruptedIOException;
import java.util.Objects;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcNames;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.Role;
import org.ipc4j.api.internal.DuplexChannel;
import org.ipc4j.api.internal.SideLease;
import org.ipc4j.mqueue.internal.ChannelSession;
import org.ipc4j.mqueue.internal.QueueHandle;

/**
 * A duplex channel between two processes over two POSIX message queues, one per direction, named
 * {@code NAME.a2b} and {@code NAME.b2a}: side {@link Role#A A} sends on the first and receives on the second,
 * side {@link Role#B B} the other way round. This is the address {@code mq:/NAME}.
 *
 * <h2>Rendezvous</h2>
 * The first process to open {@code NAME} takes side A, the second side B ({@link Role#AUTO}, the default),
 * whichever starts first: two programs that differ in nothing but the address work. {@link Role#A} or
 * {@link Role#B} takes a side explicitly. A side is held by a lock on one byte of a lease file,
 * {@code /dev/shm/NAME.mq-lease} (see {@link SideLease}): a third opener gets {@link LimitReachedException},
 * and the kernel drops the lock of a process that dies. Opening never waits for the partner: what one side
 * sends before the other opens waits in the queue.
 *
 * <h2>Session</h2>
 * The queues are created by whichever opener comes first (with the attributes it asks for) and belong to the
 * session, not to an end. When both ends have closed, the second close ends the session: the queues, the
 * lease file and the close markers are removed, so the next pair starts fresh. An end that died does not end
 * anything: a restarted process takes the free side, re-attaches to the live partner and receives what was
 * queued for it. If both ends died, the names stay and the next pair resumes the session with the messages
 * that were queued.
 *
 * <h2>Peer gone</h2>
 * A receive waiting on an empty queue learns from the lease that the partner closed or died: once every
 * message it sent has been received, the receive throws {@link PeerGoneException}, saying whether the peer
 * closed its end or died without closing it. A partner counts as gone only after it was there (held at open
 * or at a later check, or closed since), so the first opener waits for a partner that has not come yet, and a
 * program that opens the queues without taking the lease (a C peer, say) is never reported gone.
 * A send throws {@code PeerGoneException} once this end knows that the peer is gone (from a waiting receive,
 * or from waiting for room in a full queue); a send that finds room does not check, so a message sent right
 * after the partner's death may be queued for a partner that never comes. The exception is not final: when a
 * new partner takes the free side, the channel works again. Checks run at most every
 * {@value ChannelSession#PROBE_MILLIS} ms while waiting, never per message.
 *
 * <p>Sending, receiving, blocking, timeouts and closing behave as on {@link MessageQueue} (sending with
 * priority {@value MessageQueue#DEFAULT_PRIORITY}); {@link #outbound()} and {@link #inbound()} give the queues
 * for priorities and attributes. The name must leave room for the 4-character suffix: at most
 * {@value #MAX_NAME_LENGTH} characters. The caller owns the channel and must close it.
 */
@SuppressWarnings("exports") // the skeleton and the ends are internal; clients only call Channel methods
public final class MessageQueueChannel extends DuplexChannel<QueueSendEnd, QueueReceiveEnd> implements NamedObject {
    /** The longest base name: {@link IpcNames#MAX_LENGTH} minus the {@code .a2b} suffix. */
    public static final int MAX_NAME_LENGTH = IpcNames.MAX_LENGTH - 4;

    private final String name;
    private final String bare;
    private final ChannelSession session;
    private final MessageQueue outbound;
    private final MessageQueue inbound;

    private MessageQueueChannel(String name, String bare, ChannelSession session, MessageQueue outbound,
            MessageQueue inbound) {
        super(outbound.sendEnd(), inbound.receiveEnd());
        this.name = name;
        this.bare = bare;
        this.session = session;
        this.outbound = outbound;
        this.inbound = inbound;
    }

    /**
     * Opens the channel {@code name}, taking the first free side, creating its queues with the system's default
     * attributes if they do not exist. The same as {@code mq:/NAME}.
     *
     * @see #open(String, Role, OpenOptions, int, int)
     */
    public static MessageQueueChannel open(String name) throws IpcException, InterruptedIOException {
        return open(name, Role.AUTO, OpenOptions.openOrCreate(), 0, 0);
    }

    /**
     * Opens side {@code role} of the channel {@code name}.
     *
     * @param role {@link Role#AUTO} for the first free side (A, then B), or a side
     * @param options how to open the two queues (and the permissions of the queues and the lease file):
     *        {@code openOrCreate} joins or starts a session, {@code open} only joins one whose queues exist,
     *        {@code create} only starts one. Unlink on close is not an option: the session removes its names
     *        when both ends have closed.
     * @param depth,maxMessageSize attributes of queues this call creates (0 for the system default)
     * @throws IllegalArgumentException for a bad name (including one longer than {@value #MAX_NAME_LENGTH}) or
     *         options with unlink on close
     * @throws LimitReachedException if the side (for AUTO: both sides) is held by a live endpoint
     * @throws IpcException as {@link MessageQueue#open(String, OpenOptions, int, int)}; nothing stays open
     * @throws InterruptedIOException if interrupted while another opener held the lease's gate
     */
    public static MessageQueueChannel open(String name, Role role, OpenOptions options, int depth, int maxMessageSize)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(options, "options");
        String bare = validate(name);
        if (options.unlinkOnClose()) {
            throw new IllegalArgumentException("message queue channel " + name + ": unlink on close is not an option;"
                    + " the queues and the lease are removed when both ends have closed");
        }
        ChannelSession session = ChannelSession.take(bare, role, options.permissions());
        MessageQueue[] a2b = new MessageQueue[1];
        try {
            // Always a2b first, whatever the side: two first openers racing then agree on who created what.
            a2b[0] = MessageQueue.over(QueueHandle.open(bare + ".a2b", options, depth, maxMessageSize), session, false);
            MessageQueue b2a = MessageQueue.over(QueueHandle.open(bare + ".b2a", options, depth, maxMessageSize),
                    session, false);
            return session.side() == Role.A ? new MessageQueueChannel(name, bare, session, a2b[0], b2a)
                    : new MessageQueueChannel(name, bare, session, b2a, a2b[0]);
        } catch (IpcException | RuntimeException e) {
            try {
                if (a2b[0] != null) {
                    a2b[0].close();
                }
                // Without a partner this ends the session, removing what this call created (and the lease);
                // queues a dead session left stay for the next opener.
                session.close(() -> {
                    if (a2b[0] != null && a2b[0].created()) {
                        a2b[0].unlink();
                    }
                });
            } catch (IpcException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static String validate(String name) {
        String bare = IpcNames.validate("message queue channel", name);
        if (bare.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("message queue channel name \"" + name + "\" has " + bare.length()
                    + " characters; at most " + MAX_NAME_LENGTH + " leave room for the suffix .a2b/.b2a");
        }
        return bare;
    }

    /** The base name, as given. */
    @Override
    public String name() {
        return name;
    }

    /** Which side this end holds: {@link Role#A} or {@link Role#B}. */
    public Role side() {
        return session.side();
    }

    /** Whether the other side was held by a live endpoint when this end opened. */
    public boolean partnerPresentAtOpen() {
        return session.partnerPresentAtOpen();
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
    public boolean isOpen() {
        return outbound.isOpen() && inbound.isOpen();
    }

    /**
     * Closes both queues, then lets the side go; if the partner's side is free too (it closed or died), this
     * ends the session and removes the queues, the lease file and the markers. Messages kept after a
     * too-small buffer are put back on the inbound queue first. Idempotent.
     */
    @Override
    protected void closeResources() throws IpcException {
        IpcException failure = null;
        for (MessageQueue q : new MessageQueue[] {inbound, outbound}) {
            try {
                q.close();
            } catch (IpcException e) {
                failure = first(failure, e);
            }
        }
        try {
            session.close(() -> removeQueues(bare));
        } catch (IpcException e) {
            failure = first(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static IpcException first(IpcException first, IpcException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private static boolean removeQueues(String bare) throws IpcException {
        boolean a = MessageQueue.unlink(bare + ".a2b");
        boolean b = MessageQueue.unlink(bare + ".b2a");
        return a || b;
    }

    /**
     * Removes the names of this channel (see {@link #unlink(String)}): fails while this end is open, since it
     * holds a side.
     */
    @Override
    public void unlink() throws IpcException {
        try {
            unlink(name);
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw new IpcException("interrupted while removing message queue channel " + name, e);
        }
    }

    /**
     * Removes what a session of channel {@code name} left behind when its ends died: both queues, the close
     * markers and the lease file. Sessions whose ends closed remove them themselves. Does nothing to a session
     * with a live end.
     *
     * @return whether a queue of the channel existed
     * @throws IpcException if a live endpoint holds a side of the channel (nothing is removed), or a name
     *         could not be removed
     * @throws InterruptedIOException if interrupted while another opener held the lease's gate
     */
    public static boolean unlink(String name) throws IpcException, InterruptedIOException {
        String bare = validate(name);
        boolean[] existed = new boolean[1];
        ChannelSession.endUnused(bare, OpenOptions.OWNER_ONLY, () -> existed[0] = removeQueues(bare));
        return existed[0];
    }

    @Override
    public String toString() {
        return "MessageQueueChannel[" + name + ", side " + session.side() + (isOpen() ? "" : ", closed") + "]";
    }
}
