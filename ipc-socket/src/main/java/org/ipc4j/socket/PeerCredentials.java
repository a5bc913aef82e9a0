package org.ipc4j.socket;

import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Who is at the other end of a Unix domain socket, as the kernel recorded it when the peer connected
 * ({@code SO_PEERCRED}); the peer cannot forge it.
 *
 * <p>The user and group come from the JDK ({@code jdk.net.ExtendedSocketOptions.SO_PEERCRED}). The JDK
 * reports them as principals; {@link #uid()} and {@link #gid()} are their numeric ids, resolved from the
 * principal name (a numeric name, or the system's passwd/group files), or -1 when that fails. The JDK does
 * not expose the peer's process id and this module uses no native code, so {@link #pid()} is empty: see
 * docs/sockets.md for why and for how to identify a peer process if you need to.
 *
 * @param user the peer's effective user
 * @param group the peer's effective group
 * @param uid the numeric user id, or -1 if it could not be resolved
 * @param gid the numeric group id, or -1 if it could not be resolved
 * @param pid the peer's process id, when known
 */
public record PeerCredentials(UserPrincipal user, GroupPrincipal group, int uid, int gid, OptionalLong pid) {
    /**
     * Holds the credentials read from a connected socket.
     *
     * @throws NullPointerException if {@code user}, {@code group} or {@code pid} is null
     */
    public PeerCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(pid, "pid");
    }
}
