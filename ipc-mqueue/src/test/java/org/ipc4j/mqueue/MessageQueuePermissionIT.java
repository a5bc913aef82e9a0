package org.ipc4j.mqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Owner-only by default, for real: a child JVM that drops to user nobody cannot open a queue created with the
 * default mode 0600 and gets {@link org.ipc4j.api.PermissionDeniedException}; with mode 0666 it can. Needs
 * root (to become another user); skipped otherwise, since an unprivileged test has no second user.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MessageQueuePermissionIT {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private static boolean isRoot() throws Exception {
        Process p = new ProcessBuilder("id", "-u").start();
        return new String(p.getInputStream().readAllBytes()).trim().equals("0") && p.waitFor() == 0;
    }

    @Test
    void anotherUserIsDeniedAnOwnerOnlyQueueButMayOpenAShared() throws Exception {
        assumeTrue(isRoot(), "needs root to start a process as another user");
        MessageQueue ownerOnly = names.closeAfter(MessageQueue.create(Queues.name(names, "private"), 2, 32));
        MessageQueue shared = names.closeAfter(MessageQueue.open(Queues.name(names, "shared"),
                OpenOptions.create().permissions(0666), 2, 32));
        ChildJvm denied = names.closeAfter(ChildJvm.start(DropPrivilegesTestApp.class, ownerOnly.name()));
        assertThat(denied.waitFor(Duration.ofSeconds(60))).as(denied.output()).isZero();
        assertThat(denied.output()).contains("DENIED mq_open(\"" + ownerOnly.posixName() + "\") failed: EACCES",
                "permissions", "0660/0666");
        ChildJvm allowed = names.closeAfter(ChildJvm.start(DropPrivilegesTestApp.class, shared.name()));
        assertThat(allowed.waitFor(Duration.ofSeconds(60))).as(allowed.output()).isZero();
        assertThat(allowed.output()).contains("OPENED 32");
    }
}
