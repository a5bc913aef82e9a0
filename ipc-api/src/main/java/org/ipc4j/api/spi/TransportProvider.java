package org.ipc4j.api.spi;

import java.util.Set;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcUri;
import org.ipc4j.api.Sync;
import org.ipc4j.api.UnsupportedPlatformException;

/**
 * Service-provider interface through which {@link org.ipc4j.api.Ipc} finds the transport modules. Each
 * module registers one implementation (in {@code module-info.java} with {@code provides}, and in
 * {@code META-INF/services} for class-path use). Implementations must have a public no-argument
 * constructor and must not touch native code until a method is called.
 */
public interface TransportProvider {

    /** The URI schemes this provider serves, in lower case. */
    Set<String> schemes();

    /** Whether {@code scheme} works in this process, probing native support if needed; never throws. */
    Capability capability(String scheme);

    /**
     * Opens a channel for the address. The caller owns the result.
     *
     * @throws IllegalArgumentException for a malformed address or unknown parameters
     */
    default Channel openChannel(IpcUri uri) throws IpcException {
        throw new UnsupportedPlatformException(uri.scheme() + ": is not a message channel; use Ipc.openSync");
    }

    /**
     * Opens a synchronisation object for the address. The caller owns the result.
     *
     * @throws IllegalArgumentException for a malformed address or unknown parameters
     */
    default Sync openSync(IpcUri uri) throws IpcException {
        throw new UnsupportedPlatformException(uri.scheme() + ": is not a synchronisation object; use Ipc.open");
    }
}
