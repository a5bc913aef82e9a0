package org.ipc4j.semaphore.internal;

import java.util.Locale;
import java.util.Set;
import org.ipc4j.api.Capability;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcUri;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.Sync;
import org.ipc4j.api.spi.TransportProvider;
import org.ipc4j.semaphore.NamedSemaphore;

/**
 * {@code sem:/NAME?initial=N&mode=openOrCreate&permissions=0600&unlinkOnClose=false}: a
 * {@link NamedSemaphore}. {@code initial} (default 1) is the count of a newly created semaphore;
 * {@code mode} is {@code create}, {@code open} or {@code openOrCreate} (default); {@code permissions} is
 * octal (default 0600).
 */
public final class SemaphoreTransportProvider implements TransportProvider {
    private static final Set<String> PARAMS = Set.of("initial", "mode", "permissions", "unlinkOnClose");

    public SemaphoreTransportProvider() {
        // Nothing native here: the SPI requires providers to be cheap to instantiate.
    }

    @Override
    public Set<String> schemes() {
        return Set.of(SemaphoreSupport.SCHEME);
    }

    @Override
    public Capability capability(String scheme) {
        return SemaphoreSupport.capability();
    }

    @Override
    public Sync openSync(IpcUri uri) throws IpcException {
        uri.requireOnly(PARAMS);
        long initial = uri.integer("initial", 1);
        OpenOptions options = switch (uri.string("mode", "openOrCreate").toLowerCase(Locale.ROOT)) {
            case "create" -> OpenOptions.create();
            case "open" -> OpenOptions.open();
            case "openorcreate" -> OpenOptions.openOrCreate();
            default -> throw new IllegalArgumentException("\"" + uri + "\": parameter mode=" + uri.string("mode", "")
                    + " is not one of create, open, openOrCreate");
        };
        String perms = uri.string("permissions", null);
        if (perms != null) {
            int bits;
            try {
                bits = Integer.parseInt(perms.trim(), 8);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + uri + "\": parameter permissions=" + perms
                        + " is not an octal number such as 0600");
            }
            options = options.permissions(bits);
        }
        options = options.unlinkOnClose(uri.bool("unlinkOnClose", false));
        return NamedSemaphore.open(uri.target(), initial, options);
    }
}
