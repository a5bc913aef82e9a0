/*
 * A non-Java peer for SemaphorePeerIT: opens the semaphore PING that the Java side created, creates
 * PONG itself (exclusive, 0600, value 0), then ROUNDS times waits on PING and posts PONG.
 * Usage: sem_peer /PING /PONG ROUNDS. Exit 0 on success, 2 on a wait that took over 20 s.
 */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s /PING /PONG ROUNDS\n", argv[0]);
        return 1;
    }
    sem_t *ping = sem_open(argv[1], 0);
    if (ping == SEM_FAILED) {
        perror("sem_open ping");
        return 1;
    }
    sem_t *pong = sem_open(argv[2], O_CREAT | O_EXCL, 0600, 0);
    if (pong == SEM_FAILED) {
        perror("sem_open pong");
        return 1;
    }
    printf("READY\n");
    fflush(stdout);
    long rounds = strtol(argv[3], NULL, 10);
    for (long i = 0; i < rounds; i++) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 20;
        while (sem_timedwait(ping, &deadline) != 0) {
            if (errno != EINTR) {
                perror("sem_timedwait");
                return 2;
            }
        }
        if (sem_post(pong) != 0) {
            perror("sem_post");
            return 1;
        }
    }
    int value = -1;
    sem_getvalue(ping, &value);
    printf("DONE ping=%d\n", value);
    sem_close(ping);
    sem_close(pong);
    return 0;
}
