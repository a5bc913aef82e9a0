/*
 * Native floor for the semaphore comparison: the same ping-pong the Java harness does over two named
 * POSIX semaphores, between a parent and a forked child. Prints each recorded round trip in nanoseconds,
 * one per line, on stdout.
 *
 * usage: sem_pingpong WARMUP ROUNDTRIPS CPU_PARENT CPU_CHILD   (a CPU of -1 leaves affinity alone)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "sem_pingpong: %s failed: %s\n", what, strerror(errno));
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
    if (argc != 5) {
        fprintf(stderr, "usage: %s WARMUP ROUNDTRIPS CPU_PARENT CPU_CHILD\n", argv[0]);
        return 1;
    }
    long warmup = atol(argv[1]), n = atol(argv[2]);
    int cpu_parent = atoi(argv[3]), cpu_child = atoi(argv[4]);
    char ping_name[64], pong_name[64];
    snprintf(ping_name, sizeof ping_name, "/ipc4jc%ldsa", (long) getpid());
    snprintf(pong_name, sizeof pong_name, "/ipc4jc%ldsb", (long) getpid());
    sem_t *ping = sem_open(ping_name, O_CREAT | O_EXCL, 0600, 0);
    if (ping == SEM_FAILED) die("sem_open(ping)");
    sem_t *pong = sem_open(pong_name, O_CREAT | O_EXCL, 0600, 0);
    if (pong == SEM_FAILED) { sem_unlink(ping_name); die("sem_open(pong)"); }
    /* Both processes hold the mappings after fork: the names can go now, nothing is left behind. */
    sem_unlink(ping_name);
    sem_unlink(pong_name);

    long total = warmup + n;
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        pin(cpu_child);
        for (long i = 0; i < total; i++) {
            while (sem_wait(ping) != 0) if (errno != EINTR) die("sem_wait(ping)");
            if (sem_post(pong) != 0) die("sem_post(pong)");
        }
        _exit(0);
    }
    pin(cpu_parent);
    long long *samples = malloc(sizeof(long long) * (size_t) (n > 0 ? n : 1));
    if (!samples) die("malloc");
    for (long i = 0; i < total; i++) {
        long long t0 = now_ns();
        if (sem_post(ping) != 0) die("sem_post(ping)");
        while (sem_wait(pong) != 0) if (errno != EINTR) die("sem_wait(pong)");
        long long t1 = now_ns();
        if (i >= warmup) samples[i - warmup] = t1 - t0;
    }
    int status = 0;
    waitpid(child, &status, 0);
    for (long i = 0; i < n; i++) printf("%lld\n", samples[i]);
    free(samples);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 3;
}
