/* Prints the C side of what LinuxLibc declares, for LinuxLibcLayoutTest. */
#include <fcntl.h>
#include <limits.h>
#include <semaphore.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

int main(void) {
    printf("O_CREAT=%d\n", O_CREAT);
    printf("O_EXCL=%d\n", O_EXCL);
    printf("SEM_VALUE_MAX=%ld\n", (long) SEM_VALUE_MAX);
    printf("SEM_FAILED=%ld\n", (long) SEM_FAILED);
    printf("sizeof_timespec=%zu\n", sizeof(struct timespec));
    printf("offsetof_tv_nsec=%zu\n", offsetof(struct timespec, tv_nsec));
    printf("sizeof_tv_sec=%zu\n", sizeof(((struct timespec *) 0)->tv_sec));
    return 0;
}
