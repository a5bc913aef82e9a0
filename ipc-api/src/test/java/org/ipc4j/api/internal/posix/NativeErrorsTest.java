package org.ipc4j.api.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.NativeException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.Platform;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.internal.Errno;
import org.junit.jupiter.api.Test;

/** errno to exception: the defaults, the message format, and what a mechanism's hints change. */
class NativeErrorsTest {

    @Test
    void theDefaultsGiveTheTypeACallerCanActOn() {
        assertThat(NativeErrors.exception("sem_open", "/x", Errno.EEXIST)).isExactlyInstanceOf(ObjectExistsException.class)
                .hasMessage("sem_open(\"/x\") failed: EEXIST (File exists)");
        assertThat(NativeErrors.exception("sem_open", "/x", Errno.ENOENT)).isExactlyInstanceOf(NoSuchObjectException.class);
        assertThat(NativeErrors.exception("mkfifo", "/no/dir/f", Errno.ENOTDIR)).isExactlyInstanceOf(NoSuchObjectException.class);
        assertThat(NativeErrors.exception("open", "/p", Errno.EACCES)).isExactlyInstanceOf(PermissionDeniedException.class);
        assertThat(NativeErrors.exception("open", "/p", Errno.EPERM)).isExactlyInstanceOf(PermissionDeniedException.class);
        IpcException other = NativeErrors.exception("sem_post", "/x", Errno.EINVAL);
        assertThat(other).isExactlyInstanceOf(NativeException.class)
                .hasMessage("sem_post(\"/x\") failed: EINVAL (Invalid argument)");
        assertThat(((NativeException) other).function()).isEqualTo("sem_post");
        assertThat(((NativeException) other).errno()).isEqualTo(Errno.EINVAL);
        assertThat(NativeErrors.exception("poll", null, Errno.EAGAIN)).as("EAGAIN is a limit only if a mechanism says so")
                .isExactlyInstanceOf(NativeException.class).hasMessage("poll() failed: EAGAIN (Resource temporarily unavailable)");
    }

    @Test
    void tooManyOpenFilesNamesRlimitNofileWithItsLiveValue() throws Exception {
        IpcException e = NativeErrors.exception("open", "/tmp/f", Errno.EMFILE);
        assertThat(e).isInstanceOf(LimitReachedException.class);
        LimitReachedException limit = (LimitReachedException) e;
        assertThat(limit.limit()).isEqualTo("RLIMIT_NOFILE");
        if (Platform.current() == Platform.LINUX) {
            long soft = softLimit("Max open files");
            assertThat(limit.value()).isEqualTo(soft);
            assertThat(e).hasMessageStartingWith("open(\"/tmp/f\") failed: EMFILE (Too many open files); RLIMIT_NOFILE is "
                    + soft + ";").hasMessageContaining("ulimit -n");
        }
        LimitReachedException system = (LimitReachedException) NativeErrors.exception("open", "/tmp/f", Errno.ENFILE);
        assertThat(system.limit()).isEqualTo("/proc/sys/fs/file-max");
        assertThat(system).hasMessageContaining("sysctl fs.file-max=N");
        assertThat(NativeErrors.exception("mq_open", "/q", Errno.ENOSPC)).isInstanceOf(LimitReachedException.class);
    }

    /** The example of the design guide, with the live value of this process's message-queue budget. */
    @Test
    void aMechanismsLimitHintGivesTheDesignGuidesMessage() throws Exception {
        Limit budget = Limit.rlimit("RLIMIT_MSGQUEUE", OsConstants.RLIMIT_MSGQUEUE, "bytes",
                "raise it: ulimit -q");
        ErrnoHints hints = ErrnoHints.none().limit(Errno.EMFILE, budget, "the queues of this user use up its budget");
        LimitReachedException e = (LimitReachedException) hints.exception("mq_open", "/jobs", Errno.EMFILE);
        assertThat(e.limit()).isEqualTo("RLIMIT_MSGQUEUE");
        if (Platform.current() == Platform.LINUX) {
            long live = softLimit("Max msgqueue size");
            assertThat(e.value()).isEqualTo(live);
            assertThat(e).hasMessage("mq_open(\"/jobs\") failed: EMFILE (Too many open files); RLIMIT_MSGQUEUE is " + live
                    + " bytes; the queues of this user use up its budget; raise it: ulimit -q");
        }
    }

    @Test
    void anExceededHintAppliesOnlyWhenTheRequestIsAboveTheLiveValue() {
        Limit msgMax = Limit.fixed("/proc/sys/fs/mqueue/msg_max", 10, "messages", "raise it: sysctl fs.mqueue.msg_max=N (as root)");
        ErrnoHints base = ErrnoHints.none().on(Errno.EINVAL, "the kernel rejected the attributes");
        IpcException above = base.exceeded(Errno.EINVAL, msgMax, "depth", 11, "ask for fewer")
                .exception("mq_open", "/q", Errno.EINVAL);
        assertThat(above).isInstanceOf(LimitReachedException.class).hasMessage("mq_open(\"/q\") failed: EINVAL (Invalid"
                + " argument); depth=11 is above the limit: /proc/sys/fs/mqueue/msg_max is 10 messages; ask for fewer;"
                + " raise it: sysctl fs.mqueue.msg_max=N (as root)");
        assertThat(((LimitReachedException) above).value()).isEqualTo(10);
        IpcException within = base.exceeded(Errno.EINVAL, msgMax, "depth", 10, "ask for fewer")
                .exception("mq_open", "/q", Errno.EINVAL);
        assertThat(within).isExactlyInstanceOf(NativeException.class)
                .hasMessage("mq_open(\"/q\") failed: EINVAL (Invalid argument); the kernel rejected the attributes");
    }

    @Test
    void adviceKeepsTheDefaultTypeAndTheLastHintForAnErrnoWins() {
        ErrnoHints table = ErrnoHints.none().exists("open it instead").denied("ask its owner");
        assertThat(table.exception("sem_open", "/s", Errno.EEXIST)).isExactlyInstanceOf(ObjectExistsException.class)
                .hasMessage("sem_open(\"/s\") failed: EEXIST (File exists); open it instead");
        assertThat(table.exception("sem_open", "/s", Errno.EPERM)).isExactlyInstanceOf(PermissionDeniedException.class)
                .hasMessageEndingWith("; ask its owner");
        assertThat(table.exists("unlink it first").exception("sem_open", "/s", Errno.EEXIST))
                .hasMessageEndingWith("; unlink it first");
        LimitReachedException again = (LimitReachedException) table
                .limit(Errno.EAGAIN, Limit.fixed("SEM_NSEMS_MAX", 256, "", ""), "close some")
                .exception("sem_open", "/s", Errno.EAGAIN);
        assertThat(again.limit()).isEqualTo("SEM_NSEMS_MAX");
        assertThat(again).hasMessage("sem_open(\"/s\") failed: EAGAIN (Resource temporarily unavailable); SEM_NSEMS_MAX is"
                + " 256; close some");
    }

    @Test
    void sysctlLimitsReadTheirProcFile() {
        Limit queues = Limit.sysctl("fs.mqueue.queues_max", "queues");
        assertThat(queues.name()).isEqualTo("/proc/sys/fs/mqueue/queues_max");
        assertThat(queues.howToRaise()).isEqualTo("raise it: sysctl fs.mqueue.queues_max=N (as root)");
        if (Files.isReadable(Path.of("/proc/sys/fs/mqueue/queues_max"))) {
            assertThat(queues.value()).isPositive();
            assertThat(queues.describe(queues.value())).matches("/proc/sys/fs/mqueue/queues_max is \\d+ queues");
        }
        assertThat(Limit.sysctl("fs.no_such_key", "").value()).isEqualTo(Limit.UNKNOWN);
        assertThat(Limit.sysctl("fs.no_such_key", "").describe(Limit.UNKNOWN)).endsWith("could not be read");
        assertThat(Limit.OPEN_FILES.describe(Limit.UNLIMITED)).isEqualTo("RLIMIT_NOFILE is unlimited");
    }

    @Test
    void darwinErrnosAreTranslatedToLinuxOnes() {
        assertThat(Errno.fromDarwin(35)).isEqualTo(Errno.EAGAIN);
        assertThat(Errno.fromDarwin(11)).isEqualTo(Errno.EDEADLK);
        assertThat(Errno.fromDarwin(60)).isEqualTo(Errno.ETIMEDOUT);
        assertThat(Errno.fromDarwin(62)).isEqualTo(Errno.ELOOP);
        assertThat(Errno.fromDarwin(17)).isEqualTo(Errno.EEXIST);
        int unknown = Errno.fromDarwin(36); // EINPROGRESS on macOS, ENAMETOOLONG on Linux
        assertThat(unknown).isNotEqualTo(Errno.ENAMETOOLONG);
        assertThat(Errno.describe(unknown)).isEqualTo("errno 36 (macOS)");
    }

    /** The soft limit from /proc/self/limits, the kernel's own account ("unlimited" as Limit.UNLIMITED). */
    private static long softLimit(String row) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith(row)) {
                Matcher m = Pattern.compile("^" + Pattern.quote(row) + "\\s+(\\S+)").matcher(line);
                assertThat(m.find()).isTrue();
                return m.group(1).equals("unlimited") ? Limit.UNLIMITED : Long.parseLong(m.group(1));
            }
        }
        throw new AssertionError("no row " + row + " in /proc/self/limits");
    }
}
