package org.ipc4j.api.internal.posix;

import static org.ipc4j.testkit.WithoutJna.check;

import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.testkit.WithoutJna;

/**
 * Run by {@link NativeSupportTest} in a JVM without JNA on the class path: every probe gives the same
 * reason, {@code require} throws {@link UnsupportedPlatformException} with it, and the pure-Java parts of
 * the package work. Exit 0 when all holds; any linkage error ends it with a stack trace and exit 1.
 */
public final class NoJnaTestApp {
    private NoJnaTestApp() {
    }

    public static void main(String[] args) throws Exception {
        check(!WithoutJna.jnaLoadable(), "JNA must not be on this class path");
        String reason = NativeSupport.unavailableReason(NativeSupport.Binding.LIBC);
        check(reason != null, "no reason without JNA");
        for (NativeSupport.Binding b : NativeSupport.Binding.values()) {
            check(reason.equals(NativeSupport.unavailableReason(b)), "same reason for " + b);
            check(!NativeSupport.isAvailable(b), b + " available without JNA");
        }
        try {
            NativeSupport.require(NativeSupport.Binding.SEM, "named semaphores");
            check(false, "require did not throw");
        } catch (UnsupportedPlatformException e) {
            check(e.getMessage().equals("named semaphores are not available here: " + reason), e.getMessage());
        }
        check(reason.equals(NativeSupport.jnaUnavailableReason()), "JNA's own reason: " + NativeSupport.jnaUnavailableReason());
        try {
            NativeSupport.requireJna("shared memory regions");
            check(false, "requireJna did not throw");
        } catch (UnsupportedPlatformException e) {
            check(e.getMessage().equals("shared memory regions are not available here: " + reason), e.getMessage());
        }
        IpcException e = NativeErrors.exception("open", "/x", Errno.EMFILE);
        check(e instanceof LimitReachedException && ((LimitReachedException) e).value() == Limit.UNKNOWN,
                "EMFILE without JNA: " + e);
        check(e.getMessage().contains("RLIMIT_NOFILE could not be read"), e.getMessage());
        InUseGuard guard = new InUseGuard("x", () -> { });
        guard.enter();
        guard.close();
        guard.exit();
        check(guard.isReleased() && OsConstants.O_CREAT != 0 && Structs.TIMESPEC_SIZE == 16, "pure parts");
        System.out.println("reason: " + reason);
    }
}
