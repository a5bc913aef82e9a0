package org.ipc4j.mqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.mqueue.internal.MqSupport;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The errors users hit, provoked for real against this machine's live limits: each must name the limit, its
 * value read from the system, and how to fix it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageQueueLimitsTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private static long proc(String file) throws Exception {
        return Long.parseLong(Files.readAllLines(Path.of(file)).get(0).trim());
    }

    /** Whether this process may exceed the mqueue limits (CAP_SYS_RESOURCE, bit 24 of CapEff). */
    private static boolean hasSysResource() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 24)) != 0;
            }
        }
        return false;
    }

    /** The soft RLIMIT_MSGQUEUE from /proc/self/limits, or -1 for unlimited. */
    private static long rlimitMsgqueue() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max msgqueue size")) {
                String soft = line.substring(26).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
            }
        }
        return -1;
    }

    @Test
    void messageLargerThanTheQueueIsRejectedWithTheLimits() throws Exception {
        MessageQueue q = names.closeAfter(MessageQueue.create(Queues.name(names, "big"), 2, 100));
        ByteBuffer tooBig = ByteBuffer.allocate(101);
        MessageTooLargeException e = (MessageTooLargeException) catchThrowable(() -> q.send(tooBig, 3));
        assertThat(e).isNotNull();
        assertThat(e.size()).isEqualTo(101);
        assertThat(e.maximum()).isEqualTo(100);
        assertThat(e.getMessage()).contains(q.posixName(), "101", "100", "msgsize_max = " + proc("/proc/sys/fs/mqueue/msgsize_max"));
        assertThat(tooBig.position()).isZero();
        assertThat(q.queuedMessages()).isZero();
    }

    @Test
    void depthAboveMsgMaxNamesTheSysctl() throws Exception {
        long msgMax = proc("/proc/sys/fs/mqueue/msg_max");
        String name = Queues.name(names, "msgmax");
        Throwable t = catchThrowable(() -> names.closeAfter(MessageQueue.create(name, (int) msgMax + 1, 64)));
        if (hasSysResource()) {
            assertThat(t).as("CAP_SYS_RESOURCE lets this process exceed msg_max").isNull();
            return;
        }
        assertThat(t).isInstanceOf(LimitReachedException.class);
        LimitReachedException e = (LimitReachedException) t;
        assertThat(e.limit()).isEqualTo("/proc/sys/fs/mqueue/msg_max");
        assertThat(e.value()).isEqualTo(msgMax);
        assertThat(e.getMessage()).contains("depth=" + (msgMax + 1), "msg_max = " + msgMax, "sysctl fs.mqueue.msg_max",
                "EINVAL");
        assertThat(MessageQueue.exists(name)).isFalse();
    }

    @Test
    void maxmsgAboveMsgsizeMaxNamesTheSysctl() throws Exception {
        long msgsizeMax = proc("/proc/sys/fs/mqueue/msgsize_max");
        Throwable t = catchThrowable(() -> names.closeAfter(
                MessageQueue.create(Queues.name(names, "msgsize"), 1, (int) msgsizeMax + 1)));
        if (hasSysResource()) {
            assertThat(t).as("CAP_SYS_RESOURCE lets this process exceed msgsize_max").isNull();
            return;
        }
        assertThat(t).isInstanceOf(LimitReachedException.class);
        LimitReachedException e = (LimitReachedException) t;
        assertThat(e.limit()).isEqualTo("/proc/sys/fs/mqueue/msgsize_max");
        assertThat(e.value()).isEqualTo(msgsizeMax);
        assertThat(e.getMessage()).contains("maxmsg=" + (msgsizeMax + 1) + " bytes", "sysctl fs.mqueue.msgsize_max");
    }

    @Test
    void perUserByteBudgetRlimitMsgqueue() throws Exception {
        long budget = rlimitMsgqueue();
        assumeTrue(budget > 0, "RLIMIT_MSGQUEUE is unlimited here");
        long msgMax = Math.min(proc("/proc/sys/fs/mqueue/msg_max"), 64);
        long msgsizeMax = Math.min(proc("/proc/sys/fs/mqueue/msgsize_max"), 65536);
        long perQueue = msgMax * msgsizeMax;
        assumeTrue(budget / perQueue < 200, "the budget holds too many queues to exhaust quickly");
        List<MessageQueue> opened = new ArrayList<>();
        Throwable failure = null;
        try {
            for (int i = 0; i <= budget / perQueue + 1 && failure == null; i++) {
                try {
                    opened.add(MessageQueue.create(Queues.name(names, "budget"), (int) msgMax, (int) msgsizeMax));
                } catch (IpcException e) {
                    failure = e;
                }
            }
        } finally {
            for (MessageQueue q : opened) {
                q.close();
                q.unlink();
            }
        }
        assertThat(failure).as("creating %d-byte queues beyond a %d-byte budget", perQueue, budget)
                .isInstanceOf(LimitReachedException.class);
        LimitReachedException e = (LimitReachedException) failure;
        assertThat(e.limit()).isEqualTo("RLIMIT_MSGQUEUE");
        assertThat(e.value()).isEqualTo(budget);
        assertThat(e.getMessage()).contains("EMFILE", "RLIMIT_MSGQUEUE = " + budget, "ulimit -q");
        assertThat(opened.size()).isLessThanOrEqualTo((int) (budget / perQueue));
        // The budget is given back once the queues are closed and unlinked.
        MessageQueue again = names.closeAfter(MessageQueue.create(Queues.name(names, "budget"), (int) msgMax, (int) msgsizeMax));
        assertThat(again.maxMessages()).isEqualTo(msgMax);
    }

    @Test
    void systemWideQueueCountQueuesMax() throws Exception {
        assumeFalse(hasSysResource(), "CAP_SYS_RESOURCE bypasses queues_max");
        long queuesMax = proc("/proc/sys/fs/mqueue/queues_max");
        assumeTrue(queuesMax <= 1024, "queues_max too high to reach in a test");
        List<MessageQueue> opened = new ArrayList<>();
        Throwable failure = null;
        try {
            for (int i = 0; i <= queuesMax && failure == null; i++) {
                try {
                    opened.add(MessageQueue.create(Queues.name(names, "count"), 1, 1));
                } catch (IpcException e) {
                    failure = e;
                }
            }
        } finally {
            for (MessageQueue q : opened) {
                q.close();
                q.unlink();
            }
        }
        assertThat(failure).isInstanceOf(LimitReachedException.class);
        LimitReachedException e = (LimitReachedException) failure;
        assertThat(e.limit()).isEqualTo("/proc/sys/fs/mqueue/queues_max");
        assertThat(e.value()).isEqualTo(queuesMax);
        assertThat(e.getMessage()).contains("ENOSPC", "queues_max = " + queuesMax, "sysctl fs.mqueue.queues_max");
    }

    @Test
    void namesFollowTheIpcNamesRule() throws Exception {
        String bare = Queues.name(names, "nm");
        try (MessageQueue q = MessageQueue.create(bare, 1, 8)) {
            assertThat(q.posixName()).isEqualTo("/" + bare);
            assertThat(q.name()).isEqualTo(bare);
        }
        assertThatThrownBy(() -> MessageQueue.create("/jobs/high", 1, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/jobs/high").hasMessageContaining("'/'");
        assertThatThrownBy(() -> MessageQueue.create("", 1, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageQueue.create("/", 1, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageQueue.create("a".repeat(31), 1, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("31");
        assertThatThrownBy(() -> MessageQueue.unlink("bad name")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void capabilityProbeAnswersHereAndNamesOtherPlatformsWithoutLinking() {
        assertThat(MessageQueue.isSupported()).isTrue();
        Capability mq = Ipc.capability("mq");
        assertThat(mq.supported()).as(mq.reason()).isTrue();
        assertThat(mq.artifact()).isEqualTo("org.ipc4j:ipc-mqueue");
        assertThat(MqSupport.platformReason("Mac OS X", "aarch64", 8)).contains("macOS", "ipc-socket");
        assertThat(MqSupport.platformReason("Windows 11", "amd64", 8)).contains("Windows");
        assertThat(MqSupport.platformReason("FreeBSD", "amd64", 8)).contains("FreeBSD");
        assertThat(MqSupport.platformReason("Linux", "x86", 4)).contains("64-bit");
        assertThat(MqSupport.platformReason("Linux", "amd64", 8)).isNull();
    }
}
