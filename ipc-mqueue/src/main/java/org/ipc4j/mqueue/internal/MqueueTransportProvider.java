package org.ipc4j.mqueue.internal;

import java.io.InterruptedIOException;
import java.util.Set;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcUri;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.mqueue.MessageQueue;
import org.ipc4j.mqueue.MessageQueueChannel;

/**
 * The {@code mq:} scheme. {@code mq:/NAME} is a {@link MessageQueueChannel}: a duplex channel between two
 * processes over the queues {@code NAME.a2b} and {@code NAME.b2a}, the first opener taking side A and the
 * second side B. Parameters: {@code role=auto|a|b}, {@code maxmsg} (the largest message in bytes),
 * {@code depth} (messages per queue), {@code mode}, {@code perm}. {@code mq:/NAME?shared=true} is the single
 * queue NAME (a shared FIFO: what one opener sends, any opener, itself included, receives), which also takes
 * {@code unlink}. Attributes apply to queues the call creates; absent, the system defaults are used.
 */
public final class MqueueTransportProvider implements org.ipc4j.api.spi.TransportProvider {
    /** {@code shared=true}: the address is the single queue NAME, not a two-party channel. */
    public static final String SHARED = "shared";
    private static final Set<String> CHANNEL_PARAMS =
            Set.of(IpcUri.ROLE, IpcUri.MAXMSG, IpcUri.DEPTH, IpcUri.MODE, IpcUri.PERM, SHARED);
    private static final Set<String> SHARED_PARAMS =
            Set.of(SHARED, IpcUri.MAXMSG, IpcUri.DEPTH, IpcUri.MODE, IpcUri.PERM, IpcUri.UNLINK);
    /** The largest message a Java buffer can stage; the kernel's own limit ({@code msgsize_max}) is lower. */
    private static final long MAXMSG_LIMIT = Integer.MAX_VALUE - 64;

    @Override
    public Set<String> schemes() {
        return Set.of(MqSupport.SCHEME);
    }

    @Override
    public Capability capability(String scheme) {
        return MqSupport.capability();
    }

    @Override
    public Channel openChannel(IpcUri uri) throws IpcException {
        if (uri.params().containsKey("msgsize")) {
            throw new IllegalArgumentException("\"" + uri + "\": msgsize is no longer a parameter of mq:; maxmsg is"
                    + " the largest message in bytes (e.g. maxmsg=4k) and depth the number of messages a queue holds");
        }
        boolean shared = uri.bool(SHARED, false);
        if (shared && uri.params().containsKey(IpcUri.ROLE)) {
            throw new IllegalArgumentException("\"" + uri + "\": role is for the two-party channel mq:/NAME;"
                    + " shared=true is the single queue, which has no sides");
        }
        if (!shared && uri.params().containsKey(IpcUri.UNLINK)) {
            throw new IllegalArgumentException("\"" + uri + "\": unlink does not apply to the two-party channel"
                    + " mq:/NAME, which removes its queues and lease when both ends have closed; it applies to the"
                    + " single queue (shared=true)");
        }
        uri.requireOnly(shared ? SHARED_PARAMS : CHANNEL_PARAMS);
        int maxmsg = uri.params().containsKey(IpcUri.MAXMSG) ? uri.maxMessage(1, MAXMSG_LIMIT) : 0;
        int depth = uri.params().containsKey(IpcUri.DEPTH) ? (int) uri.count(IpcUri.DEPTH, 1, 1, Integer.MAX_VALUE) : 0;
        OpenOptions options = uri.openOptions(OpenMode.OPEN_OR_CREATE);
        if (shared) {
            return MessageQueue.open(uri.target(), options, depth, maxmsg);
        }
        try {
            return MessageQueueChannel.open(uri.target(), uri.role(), options, depth, maxmsg);
        } catch (InterruptedIOException e) {
            // the SPI cannot throw InterruptedIOException: keep the interrupt and report it as an IpcException
            Thread.currentThread().interrupt();
            throw new IpcException(uri + ": interrupted while taking a side of the channel", e);
        }
    }
}
