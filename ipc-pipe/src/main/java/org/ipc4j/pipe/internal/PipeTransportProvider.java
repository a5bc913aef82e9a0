package org.ipc4j.pipe.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcUri;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.pipe.FifoChannel;

/**
 * The {@code fifo:} scheme: {@code fifo:/tmp/x?role=a} opens a {@link FifoChannel} on {@code /tmp/x.a2b}
 * and {@code /tmp/x.b2a}. Parameters: {@code role} (a or b, required), {@code open} (create, open,
 * openOrCreate; default openOrCreate), {@code permissions} (octal, default 600), {@code timeout} (wait for
 * the other role, default 30s), {@code msgsize} (largest message, default 1m), {@code unlinkOnClose}
 * (default false).
 */
public final class PipeTransportProvider implements org.ipc4j.api.spi.TransportProvider {
    static final Set<String> PARAMS = Set.of("role", "open", "permissions", "timeout", "msgsize", "unlinkOnClose");
    /** The default wait for the other role when opening by address. */
    public static final Duration DEFAULT_OPEN_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public Set<String> schemes() {
        return Set.of("fifo");
    }

    @Override
    public Capability capability(String scheme) {
        return Fifos.capability(scheme);
    }

    @Override
    public Channel openChannel(IpcUri uri) throws IpcException {
        uri.requireOnly(PARAMS);
        String roleText = uri.string("role", null);
        if (roleText == null) {
            throw new IllegalArgumentException("\"" + uri + "\": fifo: needs role=a or role=b (one process each);"
                    + " the channel uses " + uri.target() + ".a2b and " + uri.target() + ".b2a");
        }
        FifoChannel.Role role = switch (roleText.trim().toLowerCase(Locale.ROOT)) {
            case "a" -> FifoChannel.Role.A;
            case "b" -> FifoChannel.Role.B;
            default -> throw new IllegalArgumentException("\"" + uri + "\": role=" + roleText + " is not a or b");
        };
        OpenOptions options = switch (uri.string("open", "openOrCreate").trim().toLowerCase(Locale.ROOT)) {
            case "create" -> OpenOptions.create();
            case "open" -> OpenOptions.open();
            case "openorcreate" -> OpenOptions.openOrCreate();
            default -> throw new IllegalArgumentException("\"" + uri + "\": open=" + uri.string("open", "")
                    + " is not create, open or openOrCreate");
        };
        String perm = uri.string("permissions", "600").trim();
        int bits;
        try {
            bits = Integer.parseInt(perm, 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + uri + "\": permissions=" + perm + " is not an octal mode such as 600");
        }
        options = options.permissions(bits).unlinkOnClose(uri.bool("unlinkOnClose", false));
        long size = uri.size("msgsize", Framing.DEFAULT_MAX_FRAME);
        if (size > Framing.ABSOLUTE_MAX_FRAME) {
            throw new IllegalArgumentException("\"" + uri + "\": msgsize=" + size + " is above " + Framing.ABSOLUTE_MAX_FRAME);
        }
        Duration timeout = uri.duration("timeout", DEFAULT_OPEN_TIMEOUT);
        try {
            return FifoChannel.open(Path.of(uri.target()), role, options, timeout, (int) size);
        } catch (java.io.InterruptedIOException e) {
            // the SPI cannot throw InterruptedIOException: keep the interrupt and report it as an IpcException
            Thread.currentThread().interrupt();
            throw new IpcException(uri + ": interrupted while waiting for the other role to open", e);
        }
    }
}
