package org.ipc4j.shm.internal;

import java.io.InterruptedIOException;
import java.util.Locale;
import java.util.Set;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcUri;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.internal.posix.NativeSupport;
import org.ipc4j.shm.ShmChannel;
import org.ipc4j.shm.ShmRingConfig;
import org.ipc4j.shm.WaitStrategy;

/**
 * Serves {@code shm:NAME?capacity=1m&maxmsg=128k&role=auto&mode=openOrCreate&unlink=false&perm=0600}
 * with a {@link ShmChannel}.
 */
public final class ShmTransportProvider implements org.ipc4j.api.spi.TransportProvider {
    static final Set<String> PARAMS = Set.of(IpcUri.CAPACITY, IpcUri.MAXMSG, IpcUri.ROLE, IpcUri.MODE, IpcUri.UNLINK,
            IpcUri.PERM, "unblock", "wait", "prefault");

    @Override
    public Set<String> schemes() {
        return Set.of("shm");
    }

    @Override
    public Capability capability(String scheme) {
        String noJna = NativeSupport.jnaUnavailableReason();
        if (noJna != null) {
            return new Capability("shm", "shared-memory ring channel", "org.ipc4j:ipc-shm", false, noJna);
        }
        return new Capability("shm", "shared-memory ring channel", "org.ipc4j:ipc-shm", true,
                "a mapped file in " + describeDirectory() + "; no native library needed beyond JNA; "
                        + Doorbell.describeWaiting());
    }

    private static String describeDirectory() {
        try {
            return RegionFiles.directory().toString();
        } catch (IpcException e) {
            return "the shared-memory directory (" + e.getMessage() + ")";
        }
    }

    @Override
    public Channel openChannel(IpcUri uri) throws IpcException {
        uri.requireOnly(PARAMS);
        ShmRingConfig config = ShmRingConfig.defaults();
        config = config.capacity(uri.size(IpcUri.CAPACITY, config.capacity()));
        if (uri.params().containsKey(IpcUri.MAXMSG)) {
            config = config.maxMessage(uri.maxMessage(1, Integer.MAX_VALUE));
        }
        config = config.unblockTimeout(uri.duration("unblock", config.unblockTimeout()));
        config = config.prefault(uri.bool("prefault", config.prefault()));
        config = config.waitStrategy(switch (uri.string("wait", "default").toLowerCase(Locale.ROOT)) {
            case "default" -> WaitStrategy.DEFAULT;
            // A waiting end burns a core, but never pays a thread wake-up: for latency-critical pairs with cores to spare.
            case "spin" -> WaitStrategy.busySpin();
            default -> throw new IllegalArgumentException("\"" + uri + "\": wait=" + uri.string("wait", "")
                    + " is not default or spin");
        });
        OpenOptions options = uri.openOptions(OpenMode.OPEN_OR_CREATE);
        try {
            return ShmChannel.open(uri.target(), uri.role(), config, options);
        } catch (InterruptedIOException e) {
            // the SPI cannot throw InterruptedIOException: keep the interrupt and report it as an IpcException
            Thread.currentThread().interrupt();
            throw new IpcException(uri + ": interrupted while taking a side of the channel", e);
        }
    }
}
