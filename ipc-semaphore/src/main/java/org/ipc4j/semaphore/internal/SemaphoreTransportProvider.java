package org.ipc4j.semaphore.internal;

import java.util.Set;
import org.ipc4j.api.Capability;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcUri;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.Sync;
import org.ipc4j.api.spi.TransportProvider;
import org.ipc4j.semaphore.NamedSemaphore;

/**
 * {@code sem:/NAME?initial=N&mode=openOrCreate&perm=0600&unlink=false}: a {@link NamedSemaphore}.
 * {@code initial} (default 1) is the count of a newly created semaphore; {@code mode}, {@code perm} and
 * {@code unlink} are the shared vocabulary of every address, read by {@link IpcUri#openOptions(OpenMode)}
 * (default mode {@code openOrCreate}, permissions 0600, no unlink on close). Any other parameter is an
 * {@link IllegalArgumentException} that lists these.
 */
public final class SemaphoreTransportProvider implements TransportProvider {
    /** The count of a newly created semaphore. */
    static final String INITIAL = "initial";
    private static final Set<String> PARAMS = Set.of(INITIAL, IpcUri.MODE, IpcUri.PERM, IpcUri.UNLINK);

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
        return NamedSemaphore.open(uri.target(), uri.integer(INITIAL, 1), uri.openOptions(OpenMode.OPEN_OR_CREATE));
    }
}
