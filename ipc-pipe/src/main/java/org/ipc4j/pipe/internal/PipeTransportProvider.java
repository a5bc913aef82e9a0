package org.ipc4j.pipe.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcUri;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.pipe.FifoChannel;

/**
 * The {@code fifo:} scheme: {@code fifo:/tmp/x} opens a {@link FifoChannel} on {@code /tmp/x.a2b} and
 * {@code /tmp/x.b2a} (with the lease file {@code /tmp/x.lease}). Parameters, in the vocabulary shared by
 * every scheme: {@code role} (auto, a or b; default auto: the first opener takes side A, the second side B),
 * {@code mode} (create, open, openOrCreate; default openOrCreate), {@code perm} (octal, default 0600),
 * {@code unlink} (remove the FIFOs when this end closes; default false), {@code maxmsg} (largest message in
 * bytes, default 1m) and {@code timeout} (how long opening waits for the other side, default 30s).
 */
public final class PipeTransportProvider implements org.ipc4j.api.spi.TransportProvider {
    static final Set<String> PARAMS = Set.of(IpcUri.ROLE, IpcUri.MODE, IpcUri.PERM, IpcUri.UNLINK, IpcUri.MAXMSG,
            IpcUri.TIMEOUT);
    /** The default wait for the other side when opening by address. */
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
        try {
            return FifoChannel.open(Path.of(uri.target()), uri.role(), uri.openOptions(OpenMode.OPEN_OR_CREATE),
                    uri.duration(IpcUri.TIMEOUT, DEFAULT_OPEN_TIMEOUT),
                    uri.maxMessage(Framing.DEFAULT_MAX_FRAME, Framing.ABSOLUTE_MAX_FRAME));
        } catch (java.io.InterruptedIOException e) {
            // the SPI cannot throw InterruptedIOException: keep the interrupt and report it as an IpcException
            Thread.currentThread().interrupt();
            throw new IpcException(uri + ": interrupted while waiting for the other side to open", e);
        }
    }
}
