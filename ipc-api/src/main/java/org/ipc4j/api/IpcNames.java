package org.ipc4j.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The one rule for names of kernel objects (shared-memory regions, message queues, semaphores), the same
 * on every platform so that a name that works on Linux also works on macOS and Windows:
 *
 * <ul>
 *   <li>an optional leading {@code '/'} (POSIX style), which is not part of the name;</li>
 *   <li>then 1 to {@value #MAX_LENGTH} characters from {@code A-Z a-z 0-9 . _ -};</li>
 *   <li>not starting with {@code '.'} or {@code '-'}; no other {@code '/'}.</li>
 * </ul>
 * The limit of {@value #MAX_LENGTH} keeps {@code "/" + name} within macOS's 31-character limit for POSIX
 * semaphore names. File-system objects (FIFOs, Unix socket files) use paths instead and are checked by
 * their modules.
 */
public final class IpcNames {
    /** The longest name, without the leading slash. */
    public static final int MAX_LENGTH = 30;

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

    private IpcNames() {
    }

    /**
     * Checks a name and returns it without its leading slash.
     *
     * @param kind what the name is for, used in the message (e.g. "message queue")
     * @throws IllegalArgumentException naming the name and the rule it breaks
     * @throws NullPointerException if {@code name} is null
     */
    public static String validate(String kind, String name) {
        Objects.requireNonNull(name, () -> kind + " name");
        String bare = name.startsWith("/") ? name.substring(1) : name;
        if (bare.isEmpty()) {
            throw new IllegalArgumentException(kind + " name \"" + name + "\" is empty");
        }
        if (bare.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(kind + " name \"" + name + "\" has " + bare.length()
                    + " characters; at most " + MAX_LENGTH + " are allowed (without the leading '/')");
        }
        if (bare.indexOf('/') >= 0) {
            throw new IllegalArgumentException(kind + " name \"" + name
                    + "\" contains '/' after the first character; names are flat, not paths");
        }
        if (!VALID.matcher(bare).matches()) {
            throw new IllegalArgumentException(kind + " name \"" + name
                    + "\" must use only A-Z a-z 0-9 . _ - and must not start with '.' or '-'");
        }
        return bare;
    }

    /** Validates and returns the POSIX form, {@code "/" + name}. */
    public static String posix(String kind, String name) {
        return "/" + validate(kind, name);
    }
}
