package org.ipc4j.socket;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.OptionalLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.ipc4j.socket.internal.Ids;

/** Reads {@code SO_PEERCRED} of a connected Unix domain socket through the JDK. */
final class Credentials {
    private Credentials() {
    }

    /** The peer's credentials, or null when the platform does not report them. */
    static PeerCredentials of(SocketChannel socket) {
        try {
            UnixDomainPrincipal p = socket.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (p == null) {
                return null;
            }
            return new PeerCredentials(p.user(), p.group(), Ids.uid(p.user().getName()), Ids.gid(p.group().getName()),
                    OptionalLong.empty());
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }
}
