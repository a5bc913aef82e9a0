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
import org.ipc4j.api.NativeException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.posix.Limit;
import org.ipc4j.mqueue.internal.MqErrors;
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
        assertThat(e.getMessage()).contains(q.posixName(), "101", "100", "msgsize_max is " + proc("/proc/sys/fs/mqueue/msgsize_max") + " bytes");
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
        assertThat(e.getMessage()).contains("EINVAL", "depth=" + (msgMax + 1) + " is above the limit",
                "/proc/sys/fs/mqueue/msg_max is " + msgMax + " messages", "sysctl fs.mqueue.msg_max=N");
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
        assertThat(e.getMessage()).contains("EINVAL", "maxmsg=" + (msgsizeMax + 1) + " is above the limit",
                "/proc/sys/fs/mqueue/msgsize_max is " + msgsizeMax + " bytes", "sysctl fs.mqueue.msgsize_max=N");
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
        assertThat(e.getMessage()).contains("EMFILE", "RLIMIT_MSGQUEUE is " + budget + " bytes",
                "a queue of " + msgMax + " x " + msgsizeMax + " bytes", "ulimit -q", "RLIMIT_NOFILE is ");
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
        assertThat(e.getMessage()).contains("ENOSPC", "/proc/sys/fs/mqueue/queues_max is " + queuesMax + " queues",
                "sysctl fs.mqueue.queues_max=N");
    }

    /**
     * Every errno of {@code mq_open} that a user can act on, mapped without provoking it (a privileged run
     * exceeds some limits instead of hitting them): the type, the limit with its live value, and what to do.
     */
    @Test
    void everyOpenErrnoSaysWhatToDo() throws Exception {
        long msgMax = proc("/proc/sys/fs/mqueue/msg_max");
        long msgsizeMax = proc("/proc/sys/fs/mqueue/msgsize_max");
        LimitReachedException depth = (LimitReachedException) MqErrors.open("/q", true, msgMax + 1, 8, 0600, Errno.EINVAL);
        assertThat(depth.limit()).isEqualTo("/proc/sys/fs/mqueue/msg_max");
        assertThat(depth.value()).isEqualTo(msgMax);
        assertThat(depth).hasMessage("mq_open(\"/q\") failed: EINVAL (Invalid argument); depth=" + (msgMax + 1)
                + " is above the limit: /proc/sys/fs/mqueue/msg_max is " + msgMax + " messages; ask for fewer messages"
                + " (processes with CAP_SYS_RESOURCE may exceed the limit); raise it: sysctl fs.mqueue.msg_max=N (as root)");
        LimitReachedException size = (LimitReachedException) MqErrors.open("/q", true, 1, msgsizeMax + 1, 0600, Errno.EINVAL);
        assertThat(size.limit()).isEqualTo("/proc/sys/fs/mqueue/msgsize_max");
        assertThat(size).hasMessageContaining("maxmsg=" + (msgsizeMax + 1) + " is above the limit");
        assertThat(MqErrors.open("/q", true, 1, 8, 0600, Errno.EINVAL)).isExactlyInstanceOf(NativeException.class)
                .hasMessageEndingWith("; the kernel rejected the attributes depth=1, maxmsg=8");
        assertThat(MqErrors.open("/q", false, 1, 8, 0600, Errno.EINVAL)).isExactlyInstanceOf(NativeException.class)
                .hasMessage("mq_open(\"/q\") failed: EINVAL (Invalid argument)");

        LimitReachedException budget = (LimitReachedException) MqErrors.open("/q", true, 10, 8192, 0600, Errno.EMFILE);
        assertThat(budget.limit()).isEqualTo("RLIMIT_MSGQUEUE");
        assertThat(budget.value()).isEqualTo(rlimitMsgqueue() == -1 ? Limit.UNLIMITED : rlimitMsgqueue());
        assertThat(budget).hasMessageContaining("a queue of 10 x 8192 bytes needs about 82880")
                .hasMessageContaining("RLIMIT_NOFILE is ").hasMessageEndingWith("LimitMSGQUEUE= in systemd");
        LimitReachedException files = (LimitReachedException) MqErrors.open("/q", false, 10, 8192, 0600, Errno.EMFILE);
        assertThat(files.limit()).as("opening an existing queue costs a descriptor, no budget").isEqualTo("RLIMIT_NOFILE");

        LimitReachedException queues = (LimitReachedException) MqErrors.open("/q", true, 1, 8, 0600, Errno.ENOSPC);
        assertThat(queues.limit()).isEqualTo("/proc/sys/fs/mqueue/queues_max");
        assertThat(queues.value()).isEqualTo(proc("/proc/sys/fs/mqueue/queues_max"));
        assertThat(MqErrors.open("/q", false, 1, 8, 0640, Errno.EACCES)).isExactlyInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("a new queue gets mode 0640").hasMessageContaining("0660/0666");
        assertThat(MqErrors.open("/q", false, 1, 8, 0600, Errno.ENOENT)).isExactlyInstanceOf(NoSuchObjectException.class)
                .hasMessageContaining("OpenMode.CREATE");
        assertThat(MqErrors.open("/q", true, 1, 8, 0600, Errno.EEXIST)).isExactlyInstanceOf(ObjectExistsException.class)
                .hasMessageContaining("MessageQueue.unlink");
        assertThat(MqErrors.open("/q", true, 1, 8, 0600, Errno.ENOSYS)).isExactlyInstanceOf(NativeException.class)
                .hasMessageContaining("CONFIG_POSIX_MQUEUE");
        assertThat(MqErrors.open("/" + "q".repeat(300), false, 1, 8, 0600, Errno.ENAMETOOLONG))
                .hasMessageContaining("too long");
        assertThat(MqErrors.UNLINK.exception("mq_unlink", "/q", Errno.EPERM)).isExactlyInstanceOf(PermissionDeniedException.class)
                .hasMessageEndingWith("only the owner of the queue (or a privileged process) may remove its name");
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
        assertThat(MqSupport.platformReason("Mac OS X")).contains("macOS", "ipc-socket");
        assertThat(MqSupport.platformReason("Windows 11")).contains("Windows");
        assertThat(MqSupport.platformReason("FreeBSD")).contains("FreeBSD");
        assertThat(MqSupport.platformReason("Linux")).isNull();
        // A 32-bit JVM or a missing JNA: the shared layer gives the reason (ipc-api's NativeSupportTest).
    }
}
