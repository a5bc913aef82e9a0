package org.ipc4j.semaphore.internal;

import org.ipc4j.api.Capability;
import org.ipc4j.api.Platform;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.api.internal.posix.NativeSupport;

/**
 * Probes, once, whether named POSIX semaphores work in this process: first what this module knows about the
 * platform (macOS's semaphores lack what ipc4j needs), then whether the shared bindings of
 * {@link NativeSupport.Binding#SEM} can be called. Nothing native is touched before the first probe, and a
 * failed probe becomes a {@link Capability} with the reason, never an {@link UnsatisfiedLinkError} at a
 * caller.
 */
public final class SemaphoreSupport {
    public static final String SCHEME = "sem";
    public static final String MECHANISM = "named semaphore";
    public static final String ARTIFACT = "org.ipc4j:ipc-semaphore";

    private static volatile Capability probed;

    private SemaphoreSupport() {
    }

    /** The capability of {@code sem:} here; probes on first use. Never throws. */
    public static Capability capability() {
        Capability c = probed;
        if (c == null) {
            synchronized (SemaphoreSupport.class) {
                c = probed;
                if (c == null) {
                    c = probe();
                    probed = c;
                }
            }
        }
        return c;
    }

    /** Throws the reason if semaphores do not work here. */
    public static void requireSupported() throws UnsupportedPlatformException {
        Capability c = capability();
        if (!c.supported()) {
            throw new UnsupportedPlatformException("named semaphores are not supported here: " + c.reason());
        }
    }

    private static Capability probe() {
        switch (Platform.current()) {
            case LINUX:
                break;
            case MAC:
                return unsupported("macOS has no sem_timedwait and its sem_getvalue fails with ENOSYS;"
                        + " ipc4j does not implement macOS semaphores yet (" + Platform.describe() + ")");
            case WINDOWS:
                return unsupported("Windows semaphores (CreateSemaphore) are not implemented yet ("
                        + Platform.describe() + ")");
            default:
                return unsupported("only Linux is supported (" + Platform.describe() + ")");
        }
        String reason = NativeSupport.unavailableReason(NativeSupport.Binding.SEM);
        if (reason != null) {
            return unsupported(reason);
        }
        return new Capability(SCHEME, MECHANISM, ARTIFACT, true,
                "POSIX sem_open and sem_timedwait through JNA; named mutex with owner recovery");
    }

    private static Capability unsupported(String reason) {
        return new Capability(SCHEME, MECHANISM, ARTIFACT, false, reason);
    }
}
