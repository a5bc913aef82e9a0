package org.ipc4j.api.internal.posix;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.ipc4j.api.UnsupportedPlatformException;

/**
 * Whether each group of native functions can be called in this process, and if not, why not, in words a
 * user can act on. The only door to the bindings: a transport asks here first, and nothing native (not
 * even JNA's own library) is loaded before the first question. An answer is computed once and kept.
 *
 * <p>A probe never throws: a missing JNA jar, JNA's native library failing to load, a 32-bit JVM, an
 * operating system without the functions, a C library without a symbol all become a reason. So no
 * {@link UnsatisfiedLinkError} or {@link NoClassDefFoundError} ever reaches a user; what reaches them is
 * {@link UnsupportedPlatformException} with the reason ({@link #require}).
 *
 * <p>JNA is an optional dependency of ipc-api: the transports that call native code depend on it, and
 * ipc-socket, which does not, never loads this package.
 */
public final class NativeSupport {
    /** A group of functions, bound together on first use: using semaphores does not bind message queues. */
    public enum Binding {
        /** POSIX functions of every supported system: open, close, read, write, poll, fcntl, ioctl, mkfifo... */
        LIBC("org.ipc4j.api.internal.posix.Libc", false),
        /** Linux only: epoll, posix_fallocate, fallocate. */
        LINUX("org.ipc4j.api.internal.posix.LinuxCalls", true),
        /** POSIX message queues (Linux). */
        MQ("org.ipc4j.api.internal.posix.MqCalls", true),
        /** POSIX named semaphores. */
        SEM("org.ipc4j.api.internal.posix.SemCalls", false),
        /** Linux only: futex wait and wake on shared memory (x86-64 and AArch64), tried once when bound. */
        FUTEX("org.ipc4j.api.internal.posix.Futex", true);

        private final String className;
        private final boolean linuxOnly;

        Binding(String className, boolean linuxOnly) {
            this.className = className;
            this.linuxOnly = linuxOnly;
        }
    }

    private static final Map<Binding, String> REASONS = new EnumMap<>(Binding.class);
    private static final String AVAILABLE = "";
    private static String baseReason;
    private static String jnaReason;

    private NativeSupport() {
    }

    /** Whether the functions of {@code binding} can be called here. Never throws. */
    public static boolean isAvailable(Binding binding) {
        return unavailableReason(binding) == null;
    }

    /** Why the functions of {@code binding} cannot be called here, or {@code null} if they can. Never throws. */
    public static synchronized String unavailableReason(Binding binding) {
        String reason = REASONS.get(binding);
        if (reason == null) {
            reason = probe(binding);
            REASONS.put(binding, reason == null ? AVAILABLE : reason);
            return reason;
        }
        return reason.isEmpty() ? null : reason;
    }

    /**
     * Throws if the functions of {@code binding} cannot be called here.
     *
     * @param mechanism what the caller was about to use, for the message (e.g. {@code "named semaphores"})
     * @throws UnsupportedPlatformException naming the mechanism and the reason
     */
    public static void require(Binding binding, String mechanism) throws UnsupportedPlatformException {
        String reason = unavailableReason(binding);
        if (reason != null) {
            throw new UnsupportedPlatformException(mechanism + " are not available here: " + reason);
        }
    }

    /**
     * Why JNA itself cannot be used in this process (not on the path, or its native library does not load), or
     * {@code null} if it can. Says nothing of the C library's functions: this is the question for what JNA does
     * on its own on every system it supports, e.g. {@link Scratch#directAddress} of a mapped file's buffer,
     * where the bindings ({@link #isAvailable}) are refused on other operating systems. Never throws.
     */
    public static synchronized String jnaUnavailableReason() {
        if (jnaReason == null) {
            String reason = probeJna();
            jnaReason = reason == null ? AVAILABLE : reason;
        }
        return jnaReason.isEmpty() ? null : jnaReason;
    }

    /**
     * Throws if JNA cannot be used here ({@link #jnaUnavailableReason}).
     *
     * @param mechanism what the caller was about to use, for the message (e.g. {@code "shared memory regions"})
     * @throws UnsupportedPlatformException naming the mechanism and the reason
     */
    public static void requireJna(String mechanism) throws UnsupportedPlatformException {
        String reason = jnaUnavailableReason();
        if (reason != null) {
            throw new UnsupportedPlatformException(mechanism + " are not available here: " + reason);
        }
    }

    /**
     * Why ipc4j's native bindings cannot work on this platform, or {@code null}: only Linux and macOS on a
     * 64-bit JVM (the struct layouts are LP64). Pure, so every branch can be tested on one machine.
     *
     * @param addressBits the JVM's pointer width
     */
    static String platformReason(String osName, String arch, int addressBits) {
        String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            return "ipc4j's native bindings are POSIX ones; Windows (" + osName + ") has none of these calls";
        }
        if (!os.startsWith("linux") && !os.startsWith("mac") && !os.startsWith("darwin")) {
            return "ipc4j's native bindings support Linux and macOS, not " + osName;
        }
        if (addressBits != 64) {
            return "ipc4j's native bindings need a 64-bit JVM (the struct layouts are LP64); this one has "
                    + addressBits + "-bit pointers (" + arch + ")";
        }
        return null;
    }

    private static String probe(Binding binding) {
        if (baseReason == null) {
            String reason = probeBase();
            baseReason = reason == null ? AVAILABLE : reason;
        }
        if (!baseReason.isEmpty()) {
            return baseReason;
        }
        if (binding.linuxOnly && org.ipc4j.api.Platform.current() != org.ipc4j.api.Platform.LINUX) {
            return "these functions are bound on Linux only (" + org.ipc4j.api.Platform.describe() + ")";
        }
        try {
            // Initialising the class registers its native methods: a missing symbol fails here, caught.
            Class.forName(binding.className, true, NativeSupport.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException e) {
            return "internal error: " + binding.className + " is missing";
        } catch (LinkageError | RuntimeException e) {
            Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
            return "the C library's functions could not be bound (" + cause + ")";
        }
    }

    /** A platform the bindings are written for, with JNA present and loadable. */
    private static String probeBase() {
        String osName = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        String os = platformReason(osName, arch, 64);
        if (os != null) {
            return os;
        }
        String jna = jnaUnavailableReason();
        if (jna != null) {
            return jna;
        }
        return platformReason(osName, arch, Libraries.addressBits());
    }

    /** JNA on the path, and its native dispatch library loaded (which binds nothing of the C library). */
    private static String probeJna() {
        try {
            Class.forName("com.sun.jna.Native", false, NativeSupport.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "JNA (net.java.dev.jna:jna) is not on the class path or module path; the ipc4j transport"
                    + " modules that need it depend on it, so add the module (ipc-pipe, ipc-mqueue, ipc-shm,"
                    + " ipc-semaphore) rather than ipc-api alone";
        }
        try {
            Libraries.addressBits();
            return null;
        } catch (LinkageError | RuntimeException e) {
            Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
            return "JNA's native library could not be loaded here (" + cause + ")";
        }
    }
}
