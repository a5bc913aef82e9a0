package org.ipc4j.socket;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.OptionalLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.ipc4j.socket.internal.Ids;

/** Reads {@code SO_PEERCRED} of a connected Unix domain socket through the JDK. */
final class Credentials {
    private static final UserPrincipal THIS_USER = thisUser();

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

    /** Whether the peer runs as this process's effective user; false if either is unknown. */
    static boolean isThisUser(PeerCredentials peer) {
        return peer != null && THIS_USER != null && peer.user().equals(THIS_USER);
    }

    /** The owner of /proc/self is the effective user (Linux); elsewhere the user the JVM reports. */
    private static UserPrincipal thisUser() {
        try {
            return Files.getOwner(Path.of("/proc/self"));
        } catch (IOException | RuntimeException e) {
            try {
                return FileSystems.getDefault().getUserPrincipalLookupService()
                        .lookupPrincipalByName(System.getProperty("user.name"));
            } catch (IOException | RuntimeException e2) {
                return null;
            }
        }
    }
}
