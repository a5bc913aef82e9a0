package org.ipc4j.semaphore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Opening a semaphore or mutex whose permissions exclude this user gives {@code PermissionDeniedException}.
 * The objects are created with mode 0000. Root ignores permission bits (CAP_DAC_OVERRIDE), so when the
 * tests run as root the opening side is a child JVM started through {@code setpriv} with every capability
 * dropped; as any other user the test process itself is denied.
 */
@Timeout(60)
class PermissionIT {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void semaphoreWithoutPermissionForThisUser() throws Exception {
        String name = names.unique("perm");
        names.onCleanup(() -> NamedSemaphore.unlink(name));
        names.closeAfter(NamedSemaphore.open(name, 1, OpenOptions.create().permissions(0)));
        assertThat(openAsUnprivileged("sem", name))
                .startsWith("RESULT PermissionDeniedException: sem_open(\"/" + name + "\") failed: EACCES");
    }

    @Test
    void mutexWithoutPermissionForThisUser() throws Exception {
        String name = names.unique("mperm");
        names.onCleanup(() -> NamedMutex.unlink(name));
        names.closeAfter(NamedMutex.open(name, OpenOptions.create().permissions(0)));
        assertThat(openAsUnprivileged("mutex", name)).startsWith("RESULT PermissionDeniedException: mutex record");
    }

    private static String openAsUnprivileged(String kind, String name) throws Exception {
        if (!isRoot()) {
            try {
                AutoCloseable c = kind.equals("sem") ? NamedSemaphore.open(name) : NamedMutex.open(name);
                c.close();
                return "RESULT opened";
            } catch (Exception e) {
                return "RESULT " + e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
        assumeTrue(SemaphorePeerIT.onPath("setpriv"), "running as root without setpriv: cannot drop CAP_DAC_OVERRIDE");
        List<String> command = new ArrayList<>(List.of("setpriv", "--bounding-set", "-all", "--inh-caps", "-all",
                ChildJvm.javaExecutable().toString()));
        command.addAll(ChildJvm.DEFAULT_JVM_OPTIONS);
        command.addAll(List.of("-cp", ChildJvm.testClassPath(), PermissionTestApp.class.getName(), kind, name));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // In a container without CAP_SETPCAP, setpriv itself fails before starting the JVM.
            assumeTrue(!out.startsWith("setpriv:"), "setpriv cannot drop capabilities here: " + out.strip());
            return out.lines().filter(l -> l.startsWith("RESULT")).findFirst().orElse(out);
        } finally {
            p.destroyForcibly();
        }
    }

    private static boolean isRoot() throws Exception {
        return Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0);
    }
}
