/* Prints the C layout of what ipc4j's message-queue bindings declare, as key=value lines, for MqLayoutTest. */
#include <fcntl.h>
#include <mqueue.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    printf("sizeof.mq_attr=%zu\n", sizeof(struct mq_attr));
    printf("offset.mq_flags=%zu\n", offsetof(struct mq_attr, mq_flags));
    printf("offset.mq_maxmsg=%zu\n", offsetof(struct mq_attr, mq_maxmsg));
    printf("offset.mq_msgsize=%zu\n", offsetof(struct mq_attr, mq_msgsize));
    printf("offset.mq_curmsgs=%zu\n", offsetof(struct mq_attr, mq_curmsgs));
    printf("sizeof.mq_maxmsg=%zu\n", sizeof(((struct mq_attr *) 0)->mq_maxmsg));
    printf("sizeof.timespec=%zu\n", sizeof(struct timespec));
    printf("offset.tv_nsec=%zu\n", offsetof(struct timespec, tv_nsec));
    printf("sizeof.epoll_event=%zu\n", sizeof(struct epoll_event));
    printf("offset.epoll_data=%zu\n", offsetof(struct epoll_event, data));
    printf("sizeof.rlimit=%zu\n", sizeof(struct rlimit));
    printf("sizeof.mqd_t=%zu\n", sizeof(mqd_t));
    printf("O_RDONLY=%d\nO_RDWR=%d\nO_CREAT=%d\nO_EXCL=%d\nO_NONBLOCK=%d\nO_CLOEXEC=%d\n",
           O_RDONLY, O_RDWR, O_CREAT, O_EXCL, O_NONBLOCK, O_CLOEXEC);
    printf("RLIMIT_MSGQUEUE=%d\nRLIMIT_NOFILE=%d\n", RLIMIT_MSGQUEUE, RLIMIT_NOFILE);
    printf("EPOLLIN=%d\nEPOLLONESHOT=%d\nEPOLL_CTL_ADD=%d\nEPOLL_CTL_DEL=%d\nEPOLL_CTL_MOD=%d\nEPOLL_CLOEXEC=%d\n",
           (int) EPOLLIN, (int) EPOLLONESHOT, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, EPOLL_CLOEXEC);
    printf("MQ_PRIO_MAX=%ld\n", sysconf(_SC_MQ_PRIO_MAX));
    return 0;
}
