/*
 * Native floor for the message-queue comparison: the same ping-pong the Java harness does over two POSIX
 * message queues (one per direction), between a parent and a forked child. Prints each recorded round trip
 * in nanoseconds, one per line, on stdout.
 *
 * usage: mq_pingpong WARMUP ROUNDTRIPS SIZE CPU_PARENT CPU_CHILD   (a CPU of -1 leaves affinity alone)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "mq_pingpong: %s failed: %s\n", what, strerror(errno));
    exit(2);
}

static void pin(int cpu) {
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) die("sched_setaffinity");
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s WARMUP ROUNDTRIPS SIZE CPU_PARENT CPU_CHILD\n", argv[0]);
        return 1;
    }
    long warmup = atol(argv[1]), n = atol(argv[2]);
    long size = atol(argv[3]);
    int cpu_parent = atoi(argv[4]), cpu_child = atoi(argv[5]);
    if (size < 1) size = 1;
    char ping_name[64], pong_name[64];
    snprintf(ping_name, sizeof ping_name, "/ipc4jc%ldqa", (long) getpid());
    snprintf(pong_name, sizeof pong_name, "/ipc4jc%ldqb", (long) getpid());
    struct mq_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.mq_maxmsg = 10;
    attr.mq_msgsize = size;
    mqd_t ping = mq_open(ping_name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (ping == (mqd_t) -1) die("mq_open(ping)");
    mqd_t pong = mq_open(pong_name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (pong == (mqd_t) -1) { mq_unlink(ping_name); die("mq_open(pong)"); }
    /* Both processes keep their descriptors after fork: the names can go now, nothing is left behind. */
    mq_unlink(ping_name);
    mq_unlink(pong_name);

    char *buf = calloc(1, (size_t) size);
    if (!buf) die("calloc");
    long total = warmup + n;
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        pin(cpu_child);
        for (long i = 0; i < total; i++) {
            ssize_t got;
            while ((got = mq_receive(ping, buf, (size_t) size, NULL)) < 0) if (errno != EINTR) die("mq_receive(ping)");
            while (mq_send(pong, buf, (size_t) got, 0) != 0) if (errno != EINTR) die("mq_send(pong)");
        }
        _exit(0);
    }
    pin(cpu_parent);
    long long *samples = malloc(sizeof(long long) * (size_t) (n > 0 ? n : 1));
    if (!samples) die("malloc");
    for (long i = 0; i < total; i++) {
        long long t0 = now_ns();
        while (mq_send(ping, buf, (size_t) size, 0) != 0) if (errno != EINTR) die("mq_send(ping)");
        while (mq_receive(pong, buf, (size_t) size, NULL) < 0) if (errno != EINTR) die("mq_receive(pong)");
        long long t1 = now_ns();
        if (i >= warmup) samples[i - warmup] = t1 - t0;
    }
    int status = 0;
    waitpid(child, &status, 0);
    for (long i = 0; i < n; i++) printf("%lld\n", samples[i]);
    free(samples);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 3;
}
