package org.ipc4j.api.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Platform;
import org.ipc4j.api.internal.Errno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every constant of {@link OsConstants}, every size and offset of {@link Structs} and every errno of
 * {@link Errno} against the C headers of this machine: a C program compiled with gcc now prints them under
 * the Java field's name. The test walks the Java fields by reflection, so a constant added without a C
 * counterpart fails here rather than going unchecked.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CLayoutTest {
    private static final String PROGRAM = String.join("\n",
            "#define _GNU_SOURCE",
            "#include <errno.h>",
            "#include <fcntl.h>",
            "#include <limits.h>",
            "#include <linux/falloc.h>",
            "#include <mqueue.h>",
            "#include <poll.h>",
            "#include <semaphore.h>",
            "#include <stddef.h>",
            "#include <stdio.h>",
            "#include <sys/epoll.h>",
            "#include <sys/ioctl.h>",
            "#include <sys/mman.h>",
            "#include <sys/resource.h>",
            "#include <time.h>",
            "#include <unistd.h>",
            "#define V(name) printf(#name \"=%ld\\n\", (long) (name))",
            "#define S(key, value) printf(key \"=%ld\\n\", (long) (value))",
            "#define E(name) printf(\"errno.\" #name \"=%d\\n\", name)",
            "int main(void) {",
            "  V(O_RDONLY); V(O_WRONLY); V(O_RDWR); V(O_CREAT); V(O_EXCL); V(O_NONBLOCK); V(O_CLOEXEC); V(O_NOFOLLOW);",
            "  V(F_DUPFD); V(F_SETFD); V(F_GETFL); V(F_SETFL); V(FD_CLOEXEC);",
            "  V(F_GETPIPE_SZ); V(F_SETPIPE_SZ); V(FIONREAD);",
            "  V(F_OFD_GETLK); V(F_OFD_SETLK); V(F_OFD_SETLKW); V(F_RDLCK); V(F_WRLCK); V(F_UNLCK);",
            "  V(POLLIN); V(POLLOUT); V(POLLERR); V(POLLHUP); V(POLLNVAL);",
            "  V(RLIMIT_NOFILE); V(RLIMIT_MSGQUEUE);",
            "  V(EPOLL_CLOEXEC); V(EPOLL_CTL_ADD); V(EPOLL_CTL_DEL); V(EPOLL_CTL_MOD);",
            "  V(EPOLLIN); V(EPOLLOUT); V(EPOLLERR); V(EPOLLHUP); V(EPOLLONESHOT);",
            "  V(MADV_POPULATE_WRITE); V(FALLOC_FL_KEEP_SIZE);",
            "  V(SEM_VALUE_MAX); V(SEM_FAILED); S(\"MQ_PRIO_MAX\", sysconf(_SC_MQ_PRIO_MAX));",
            "  S(\"TIMESPEC_SIZE\", sizeof(struct timespec));",
            "  S(\"TIMESPEC_TV_SEC\", offsetof(struct timespec, tv_sec));",
            "  S(\"TIMESPEC_TV_NSEC\", offsetof(struct timespec, tv_nsec));",
            "  S(\"POLLFD_SIZE\", sizeof(struct pollfd));",
            "  S(\"POLLFD_FD\", offsetof(struct pollfd, fd));",
            "  S(\"POLLFD_EVENTS\", offsetof(struct pollfd, events));",
            "  S(\"POLLFD_REVENTS\", offsetof(struct pollfd, revents));",
            "  S(\"RLIMIT_SIZE\", sizeof(struct rlimit));",
            "  S(\"RLIMIT_CUR\", offsetof(struct rlimit, rlim_cur));",
            "  S(\"RLIMIT_MAX\", offsetof(struct rlimit, rlim_max));",
            "  S(\"MQ_ATTR_SIZE\", sizeof(struct mq_attr));",
            "  S(\"MQ_ATTR_FLAGS\", offsetof(struct mq_attr, mq_flags));",
            "  S(\"MQ_ATTR_MAXMSG\", offsetof(struct mq_attr, mq_maxmsg));",
            "  S(\"MQ_ATTR_MSGSIZE\", offsetof(struct mq_attr, mq_msgsize));",
            "  S(\"MQ_ATTR_CURMSGS\", offsetof(struct mq_attr, mq_curmsgs));",
            "  S(\"FLOCK_SIZE\", sizeof(struct flock));",
            "  S(\"FLOCK_L_TYPE\", offsetof(struct flock, l_type));",
            "  S(\"FLOCK_L_WHENCE\", offsetof(struct flock, l_whence));",
            "  S(\"FLOCK_L_START\", offsetof(struct flock, l_start));",
            "  S(\"FLOCK_L_LEN\", offsetof(struct flock, l_len));",
            "  S(\"FLOCK_L_PID\", offsetof(struct flock, l_pid));",
            "  S(\"EPOLL_EVENT_SIZE\", sizeof(struct epoll_event));",
            "  S(\"EPOLL_EVENT_EVENTS\", offsetof(struct epoll_event, events));",
            "  S(\"EPOLL_EVENT_DATA\", offsetof(struct epoll_event, data));",
            "  S(\"sizeof.long\", sizeof(long)); S(\"sizeof.size_t\", sizeof(size_t)); S(\"sizeof.off_t\", sizeof(off_t));",
            "  S(\"sizeof.mqd_t\", sizeof(mqd_t)); S(\"sizeof.mode_t\", sizeof(mode_t)); S(\"sizeof.pointer\", sizeof(void *));",
            "  S(\"sizeof.mq_maxmsg\", sizeof(((struct mq_attr *) 0)->mq_maxmsg));",
            "  S(\"sizeof.tv_sec\", sizeof(((struct timespec *) 0)->tv_sec));",
            "  S(\"sizeof.rlim_t\", sizeof(rlim_t));",
            "  E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO); E(EBADF); E(EAGAIN); E(ENOMEM); E(EACCES);",
            "  E(EFAULT); E(EBUSY); E(EEXIST); E(ENOTDIR); E(EISDIR); E(EINVAL); E(ENFILE); E(EMFILE); E(ENOTTY);",
            "  E(ENOSPC); E(EROFS); E(EPIPE); E(ERANGE); E(EDEADLK); E(ENAMETOOLONG); E(ENOSYS); E(ELOOP);",
            "  E(EOVERFLOW); E(EMSGSIZE); E(ENOTSUP); E(ETIMEDOUT); E(EOWNERDEAD);",
            "  return 0;",
            "}",
            "");

    private static Map<String, Long> c;

    @BeforeAll
    static void compileAndRun(@TempDir Path dir) throws Exception {
        assumeTrue(Platform.current() == Platform.LINUX, "the values checked are Linux's");
        c = CHeaders.values(dir, PROGRAM);
    }

    @Test
    void everyOsConstantHasTheValueOfTheCHeaders() throws Exception {
        List<String> checked = compare(OsConstants.class);
        assertThat(checked).contains("O_CREAT", "O_NOFOLLOW", "FIONREAD", "POLLNVAL", "SEM_FAILED", "MQ_PRIO_MAX",
                "F_DUPFD", "FD_CLOEXEC");
    }

    @Test
    void everyStructSizeAndOffsetIsTheOneOfC() throws Exception {
        List<String> checked = compare(Structs.class);
        assertThat(checked).contains("TIMESPEC_SIZE", "MQ_ATTR_CURMSGS", "EPOLL_EVENT_DATA", "POLLFD_REVENTS");
        // The bindings pass these C types as Java long (LP64) and int.
        assertThat(c.get("sizeof.long")).isEqualTo(8);
        assertThat(c.get("sizeof.size_t")).isEqualTo(8);
        assertThat(c.get("sizeof.off_t")).as("posix_fallocate and fallocate take off_t as long").isEqualTo(8);
        assertThat(c.get("sizeof.pointer")).as("addresses are passed as long").isEqualTo(8);
        assertThat(c.get("sizeof.mqd_t")).as("mqd_t is bound as int").isEqualTo(4);
        assertThat(c.get("sizeof.mode_t")).as("mode_t is passed as int").isEqualTo(4);
        assertThat(c.get("sizeof.mq_maxmsg")).as("mq_attr fields are read as long").isEqualTo(8);
        assertThat(c.get("sizeof.tv_sec")).isEqualTo(8);
        assertThat(c.get("sizeof.rlim_t")).isEqualTo(8);
    }

    @Test
    void everyErrnoHasItsCValueAndName() throws Exception {
        int count = 0;
        for (Field f : Errno.class.getFields()) {
            if (!isConstant(f) || f.getName().equals("DARWIN_UNMAPPED")) {
                continue;
            }
            Long value = c.get("errno." + f.getName());
            assertThat(value).as("C value of %s (add it to the program)", f.getName()).isNotNull();
            assertThat(f.getInt(null)).as(f.getName()).isEqualTo(value.intValue());
            assertThat(Errno.name(value.intValue())).isEqualTo(f.getName());
            count++;
        }
        assertThat(count).isGreaterThanOrEqualTo(30);
    }

    /** Compares every numeric public constant of {@code type} with the C value of the same name. */
    private static List<String> compare(Class<?> type) throws IllegalAccessException {
        List<String> checked = new ArrayList<>();
        for (Field f : type.getFields()) {
            if (!isConstant(f) || f.getType() == boolean.class) {
                continue;
            }
            Long value = c.get(f.getName());
            assertThat(value).as("C value of %s.%s (add it to the program)", type.getSimpleName(), f.getName())
                    .isNotNull();
            assertThat(((Number) f.get(null)).longValue()).as(type.getSimpleName() + "." + f.getName()).isEqualTo(value);
            checked.add(f.getName());
        }
        return checked;
    }

    private static boolean isConstant(Field f) {
        int m = f.getModifiers();
        return Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType().isPrimitive();
    }
}
