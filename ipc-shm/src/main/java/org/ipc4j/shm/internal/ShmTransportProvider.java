package org.ipc4j.shm.internal;

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
    static final Set<String> PARAMS = Set.of("capacity", "maxmsg", "role", "mode", "unlink", "perm", "unblock", "wait", "prefault");

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
                "a mapped file in " + describeDirectory() + "; no native library needed beyond JNA");
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
        config = config.capacity(uri.size("capacity", config.capacity()));
        if (uri.params().containsKey("maxmsg")) {
            long max = uri.size("maxmsg", 0);
            if (max > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("\"" + uri + "\": maxmsg=" + max + " is too large");
            }
            config = config.maxMessage((int) max);
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
        ShmChannel.Side side = switch (uri.string("role", "auto").toLowerCase(Locale.ROOT)) {
            case "a" -> ShmChannel.Side.A;
            case "b" -> ShmChannel.Side.B;
            case "auto" -> ShmChannel.Side.AUTO;
            default -> throw new IllegalArgumentException("\"" + uri + "\": role=" + uri.string("role", "")
                    + " is not a, b or auto");
        };
        OpenMode mode = switch (uri.string("mode", "openOrCreate").toLowerCase(Locale.ROOT)) {
            case "create" -> OpenMode.CREATE;
            case "open" -> OpenMode.OPEN;
            case "openorcreate" -> OpenMode.OPEN_OR_CREATE;
            default -> throw new IllegalArgumentException("\"" + uri + "\": mode=" + uri.string("mode", "")
                    + " is not create, open or openOrCreate");
        };
        OpenOptions options = OpenOptions.of(mode).unlinkOnClose(uri.bool("unlink", false));
        String perm = uri.string("perm", null);
        if (perm != null) {
            try {
                options = options.permissions(Integer.parseInt(perm, 8));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + uri + "\": perm=" + perm + " is not an octal mode like 0600");
            }
        }
        return ShmChannel.open(uri.target(), side, config, options);
    }
}
