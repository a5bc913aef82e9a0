/*
 * A message-queue peer that is not ipc4j, for MessageQueueCPeerIT.
 *   mq_peer NAME send PRIO:TEXT...   sends each TEXT with priority PRIO (queue must exist)
 *   mq_peer NAME recv COUNT          receives COUNT messages (10 s timeout each), prints "PRIO TEXT" lines
 * Exits 0 on success, 2 with a message on standard error otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int fail(const char *what) {
    fprintf(stderr, "mq_peer: %s: %s\n", what, strerror(errno));
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: mq_peer NAME send PRIO:TEXT... | mq_peer NAME recv COUNT\n");
        return 2;
    }
    mqd_t q = mq_open(argv[1], O_RDWR);
    if (q == (mqd_t) -1) {
        return fail("mq_open");
    }
    if (strcmp(argv[2], "send") == 0) {
        for (int i = 3; i < argc; i++) {
            char *colon = strchr(argv[i], ':');
            if (colon == NULL) {
                fprintf(stderr, "mq_peer: expected PRIO:TEXT, got %s\n", argv[i]);
                return 2;
            }
            unsigned prio = (unsigned) strtoul(argv[i], NULL, 10);
            const char *text = colon + 1;
            if (mq_send(q, text, strlen(text), prio) != 0) {
                return fail("mq_send");
            }
        }
    } else {
        struct mq_attr attr;
        if (mq_getattr(q, &attr) != 0) {
            return fail("mq_getattr");
        }
        char *buffer = malloc((size_t) attr.mq_msgsize + 1);
        int count = atoi(argv[3]);
        for (int i = 0; i < count; i++) {
            struct timespec deadline;
            clock_gettime(CLOCK_REALTIME, &deadline);
            deadline.tv_sec += 10;
            unsigned prio = 0;
            ssize_t n = mq_timedreceive(q, buffer, (size_t) attr.mq_msgsize, &prio, &deadline);
            if (n < 0) {
                return fail("mq_timedreceive");
            }
            buffer[n] = '\0';
            printf("%u %s\n", prio, buffer);
        }
        free(buffer);
    }
    mq_close(q);
    return 0;
}
