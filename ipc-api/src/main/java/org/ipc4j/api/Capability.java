package org.ipc4j.api;

import java.util.Objects;

/**
 * Whether one mechanism works in this process, and if not, why not (in words a user can act on).
 *
 * @param scheme the URI scheme of the mechanism, e.g. {@code "mq"}
 * @param mechanism a human name, e.g. {@code "POSIX message queue"}
 * @param artifact the Maven artifact that provides it, e.g. {@code "org.ipc4j:ipc-mqueue"}
 * @param supported whether it can be used here
 * @param reason why not, or a short note on how it is provided when it is supported
 */
public record Capability(String scheme, String mechanism, String artifact, boolean supported, String reason) {
    /**
     * Describes one scheme's availability.
     *
     * @throws NullPointerException if {@code scheme}, {@code mechanism}, {@code artifact} or {@code reason} is null
     */
    public Capability {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(mechanism, "mechanism");
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return String.format("%-6s %-28s %-5s %s", scheme + ":", mechanism, supported ? "yes" : "no", reason);
    }
}
