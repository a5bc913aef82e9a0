package org.ipc4j.api;

import java.util.Locale;

/** The operating system and architecture this JVM runs on, as ipc4j's native bindings see them. */
public enum Platform {
    /** Linux, any architecture. */
    LINUX,
    /** macOS. */
    MAC,
    /** Windows. */
    WINDOWS,
    /** Any other operating system. */
    OTHER;

    private static final Platform CURRENT = detect(System.getProperty("os.name", ""));

    /** The platform of this JVM. */
    public static Platform current() {
        return CURRENT;
    }

    /** The architecture as {@code os.arch} reports it, e.g. {@code amd64} or {@code aarch64}. */
    public static String arch() {
        return System.getProperty("os.arch", "unknown");
    }

    /** A one-line description for reports and error messages, e.g. {@code Linux 6.1 amd64, Java 17.0.15}. */
    public static String describe() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + arch()
                + ", Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")";
    }

    static Platform detect(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            return LINUX;
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return MAC;
        }
        if (os.startsWith("windows")) {
            return WINDOWS;
        }
        return OTHER;
    }
}
