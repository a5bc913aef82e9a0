package org.ipc4j.api;

import java.util.Locale;

/**
 * Which side of a two-party channel an opener takes. Every two-party address accepts the parameter
 * {@code role=auto|a|b}, with the same meaning on every scheme:
 * <ul>
 *   <li>{@link #AUTO} (the default): the first process to open the address takes one side and the second
 *       the other, whichever starts first. Two programs that differ in nothing but the address work;</li>
 *   <li>{@link #A} / {@link #B}: take that side explicitly, for programs that want a fixed shape. For
 *       sockets side A listens and side B connects ({@code listen=true} is the same as {@code role=a}).</li>
 * </ul>
 * A side is held from open to close. A side held by a live endpoint is never taken by another opener; a
 * side whose holder died can be taken again, so a restarted process re-attaches to a live partner.
 */
public enum Role {
    /** The first opener takes one side, the second the other. */
    AUTO,
    /** Side A; for sockets, the listening side. */
    A,
    /** Side B; for sockets, the connecting side. */
    B;

    /** The side across the channel: A for B, B for A. {@code AUTO} has no opposite. */
    public Role opposite() {
        return switch (this) {
            case A -> B;
            case B -> A;
            case AUTO -> throw new IllegalStateException("AUTO has no opposite side");
        };
    }

    /**
     * Parses {@code auto}, {@code a} or {@code b} in any case.
     *
     * @throws IllegalArgumentException for anything else, naming the accepted values
     */
    public static Role parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "a" -> A;
            case "b" -> B;
            default -> throw new IllegalArgumentException("role=" + text + " is not auto, a or b");
        };
    }
}
