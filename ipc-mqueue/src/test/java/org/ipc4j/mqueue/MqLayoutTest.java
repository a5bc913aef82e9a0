package org.ipc4j.mqueue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ipc4j.mqueue.internal.LinuxLibc;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checks every struct layout and constant the JNA bindings hard-code against what the C compiler says on
 * this machine (src/test/c/mq_layout.c, built with gcc at test time).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MqLayoutTest {
    private static Map<String, Long> c;

    @BeforeAll
    static void compileAndRun() throws Exception {
        Path binary = CPrograms.build("mq_layout");
        CPrograms.Result r = CPrograms.run(CPrograms.command(binary));
        assertThat(r.exitCode()).as(r.error()).isZero();
        c = new HashMap<>();
        for (String line : r.output().split("\n")) {
            String[] kv = line.split("=");
            c.put(kv[0], Long.parseLong(kv[1].trim()));
        }
    }

    @Test
    void mqAttrHasTheSizeAndOffsetsOfC() {
        assertThat(c.get("sizeof.mq_attr")).isEqualTo(LinuxLibc.MQ_ATTR_SIZE);
        assertThat(c.get("offset.mq_flags")).isEqualTo(LinuxLibc.MQ_ATTR_FLAGS);
        assertThat(c.get("offset.mq_maxmsg")).isEqualTo(LinuxLibc.MQ_ATTR_MAXMSG);
        assertThat(c.get("offset.mq_msgsize")).isEqualTo(LinuxLibc.MQ_ATTR_MSGSIZE);
        assertThat(c.get("offset.mq_curmsgs")).isEqualTo(LinuxLibc.MQ_ATTR_CURMSGS);
        assertThat(c.get("sizeof.mq_maxmsg")).as("fields are C long, read as Java long").isEqualTo(8);
    }

    @Test
    void timespecEpollEventAndRlimitMatchC() {
        assertThat(c.get("sizeof.timespec")).isEqualTo(LinuxLibc.TIMESPEC_SIZE);
        assertThat(c.get("offset.tv_nsec")).isEqualTo(8);
        assertThat(c.get("sizeof.epoll_event")).isEqualTo(LinuxLibc.EPOLL_EVENT_SIZE);
        assertThat(c.get("offset.epoll_data")).isEqualTo(LinuxLibc.EPOLL_EVENT_DATA_OFFSET);
        assertThat(c.get("sizeof.rlimit")).isEqualTo(16);
        assertThat(c.get("sizeof.mqd_t")).as("mqd_t is bound as a Java int").isEqualTo(4);
    }

    @Test
    void constantsMatchC() {
        assertThat(c.get("O_RDONLY")).isEqualTo(LinuxLibc.O_RDONLY);
        assertThat(c.get("O_RDWR")).isEqualTo(LinuxLibc.O_RDWR);
        assertThat(c.get("O_CREAT")).isEqualTo(LinuxLibc.O_CREAT);
        assertThat(c.get("O_EXCL")).isEqualTo(LinuxLibc.O_EXCL);
        assertThat(c.get("O_NONBLOCK")).isEqualTo(LinuxLibc.O_NONBLOCK);
        assertThat(c.get("O_CLOEXEC")).isEqualTo(LinuxLibc.O_CLOEXEC);
        assertThat(c.get("RLIMIT_MSGQUEUE")).isEqualTo(LinuxLibc.RLIMIT_MSGQUEUE);
        assertThat(c.get("RLIMIT_NOFILE")).isEqualTo(LinuxLibc.RLIMIT_NOFILE);
        assertThat(c.get("EPOLLIN")).isEqualTo(LinuxLibc.EPOLLIN);
        assertThat(c.get("EPOLLONESHOT")).isEqualTo(LinuxLibc.EPOLLONESHOT);
        assertThat(c.get("EPOLL_CTL_ADD")).isEqualTo(LinuxLibc.EPOLL_CTL_ADD);
        assertThat(c.get("EPOLL_CTL_DEL")).isEqualTo(LinuxLibc.EPOLL_CTL_DEL);
        assertThat(c.get("EPOLL_CTL_MOD")).isEqualTo(LinuxLibc.EPOLL_CTL_MOD);
        assertThat(c.get("EPOLL_CLOEXEC")).isEqualTo(LinuxLibc.EPOLL_CLOEXEC);
        assertThat(c.get("MQ_PRIO_MAX")).isEqualTo(LinuxLibc.MQ_PRIO_MAX).isEqualTo(MessageQueue.MAX_PRIORITY + 1L);
    }
}
