package org.ipc4j.mqueue.internal;

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
 * The {@code mq:} scheme: {@code mq:/NAME?maxmsg=10&msgsize=8k&role=a&mode=openOrCreate&perm=0600&unlink=false}.
 * Without {@code role} the address is the single queue NAME (a shared FIFO: what one sends, any opener
 * receives); with {@code role=a} or {@code role=b} it is one side of a {@link MessageQueueChannel}.
 */
public final class MqueueTransportProvider implements org.ipc4j.api.spi.TransportProvider {
    private static final Set<String> PARAMS = Set.of("maxmsg", "msgsize", "role", "mode", "perm", "unlink");

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
        uri.requireOnly(PARAMS);
        long maxmsg = uri.integer("maxmsg", 0);
        long msgsize = uri.size("msgsize", 0);
        if (maxmsg < 0 || maxmsg > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("\"" + uri + "\": maxmsg=" + maxmsg + " is out of range");
        }
        if (msgsize < 0 || msgsize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("\"" + uri + "\": msgsize=" + msgsize + " is out of range");
        }
        OpenOptions options = OpenOptions.of(mode(uri)).unlinkOnClose(uri.bool("unlink", false));
        String perm = uri.string("perm", null);
        if (perm != null) {
            try {
                options = options.permissions(Integer.parseInt(perm.trim(), 8));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + uri + "\": perm=" + perm + " is not an octal mode such as 0600");
            }
        }
        String role = uri.string("role", null);
        if (role == null) {
            return MessageQueue.open(uri.target(), options, (int) maxmsg, (int) msgsize);
        }
        return MessageQueueChannel.open(uri.target(), MessageQueueChannel.Side.parse(role), options, (int) maxmsg,
                (int) msgsize);
    }

    private static OpenMode mode(IpcUri uri) {
        String mode = uri.string("mode", "openOrCreate");
        return switch (mode.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "create" -> OpenMode.CREATE;
            case "open" -> OpenMode.OPEN;
            case "openorcreate", "open_or_create" -> OpenMode.OPEN_OR_CREATE;
            default -> throw new IllegalArgumentException("\"" + uri + "\": mode=" + mode
                    + " is not one of create, open, openOrCreate");
        };
    }
}
