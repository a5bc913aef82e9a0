/*
 * A consumer of an ipc4j shared-memory ring written from docs/shm-format.md alone, to check that the
 * format description is complete. Usage: ring_reader FILE COUNT
 * Attaches to the consumer slot, consumes COUNT messages and prints "COUNT n HASH h", where h folds the
 * FNV-1a hash of every payload in order (the Java test computes the same). Exit 0 on success.
 */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x474E524A34435049ULL

static uint64_t start_time_of_self(void) {
    char buf[4096];
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return 0;
    p += 2; /* field 3 */
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (!p) return 0;
        p++;
    }
    return strtoull(p, NULL, 10);
}

/* The room doorbell (ring offset 2688): after moving head, wake producers that announced they sleep.
   This reader is not registered for membarrier, so it orders its head store before the load with a fence. */
static void ring_room_doorbell(uint8_t *ring) {
    uint32_t *bell = (uint32_t *)(ring + 2688);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint32_t w = __atomic_load_n(bell, __ATOMIC_RELAXED);
    while (w & 1) {
        if (__atomic_compare_exchange_n(bell, &w, w + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
            syscall(SYS_futex, bell, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
            return;
        }
    }
}

static uint64_t fnv1a(const uint8_t *p, int32_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int32_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ULL; }
    return h;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: ring_reader FILE COUNT\n"); return 2; }
    long count = atol(argv[2]);
    int fd = open(argv[1], O_RDWR);
    if (fd < 0) { perror("open"); return 1; }
    struct stat st;
    fstat(fd, &st);
    uint8_t *ring = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (ring == MAP_FAILED) { perror("mmap"); return 1; }
    if (*(uint64_t *)ring != MAGIC || *(int32_t *)(ring + 8) != 2) { fprintf(stderr, "not a version-2 ring\n"); return 1; }
    uint64_t capacity = *(uint64_t *)(ring + 16);
    int32_t max_message = *(int32_t *)(ring + 24);
    if ((capacity & (capacity - 1)) != 0 || (uint64_t)st.st_size < 4096 + capacity) { fprintf(stderr, "bad capacity\n"); return 1; }
    uint8_t *data = ring + 4096;
    uint64_t *tail = (uint64_t *)(ring + 128), *head = (uint64_t *)(ring + 256);

    /* take the consumer slot: first its liveness lock, on the first byte of its owner word in the file; the
       kernel holds it for us until we unlock it or die */
    struct flock live = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 384, .l_len = 1, .l_pid = 0 };
    if (fcntl(fd, F_OFD_SETLK, &live) != 0) { perror("consumer slot held by a live consumer (F_OFD_SETLK)"); return 1; }
    uint64_t *owner = (uint64_t *)(ring + 384);
    uint64_t old = __atomic_load_n(owner, __ATOMIC_ACQUIRE);
    uint64_t gen = ((old >> 32) + 1) & 0x7fffffff;
    if (gen == 0) gen = 1;
    /* a pid still in the word is a consumer that died: the lock was free */
    /* "being taken" = bit 63 plus our pid, so a reader killed right here leaves a slot others can take */
    if (!__atomic_compare_exchange_n(owner, &old, (1ULL << 63) | (gen << 32) | (uint32_t)getpid(), 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return 1;
    *(uint64_t *)(ring + 384 + 8) = start_time_of_self();
    *(uint64_t *)(ring + 384 + 16) = (uint64_t)time(NULL) * 1000;
    __atomic_store_n(owner, (gen << 32) | (uint32_t)getpid(), __ATOMIC_RELEASE);
    printf("ATTACHED\n");
    fflush(stdout);

    uint64_t h = __atomic_load_n(head, __ATOMIC_ACQUIRE), folded = 0;
    /* variant 1: a consumer killed between zeroing a record and moving head left zeros at head; skip them */
    uint64_t t0 = __atomic_load_n(tail, __ATOMIC_ACQUIRE);
    if (*(int32_t *)(ring + 12) == 1 && t0 > h && __atomic_load_n((uint64_t *)(data + (h & (capacity - 1))), __ATOMIC_ACQUIRE) == 0) {
        while (h < t0 && __atomic_load_n((uint64_t *)(data + (h & (capacity - 1))), __ATOMIC_ACQUIRE) == 0) h += 8;
        __atomic_store_n(head, h, __ATOMIC_RELEASE);
        ring_room_doorbell(ring);
    }
    long got = 0;
    time_t deadline = time(NULL) + 30;
    while (got < count) {
        uint64_t j = h & (capacity - 1);
        uint8_t *rec = data + j;
        int32_t length = __atomic_load_n((int32_t *)rec, __ATOMIC_ACQUIRE);
        if (length <= 0) {
            if (time(NULL) > deadline) { fprintf(stderr, "timeout after %ld messages\n", got); return 1; }
            struct timespec ts = {0, 10000};
            nanosleep(&ts, NULL);
            continue;
        }
        int32_t tag = *(int32_t *)(rec + 4);
        uint32_t aligned = ((uint32_t)length + 7) & ~7u;
        int type = tag & 0xff;
        if (length < 8 || aligned > capacity - j || (type != 1 && type != 2) || (type == 1 && length - 8 > max_message)) {
            fprintf(stderr, "damaged record at %llu\n", (unsigned long long)h); return 1;
        }
        if (type == 2 && __atomic_load_n(tail, __ATOMIC_ACQUIRE) - h < aligned) continue;
        if (type == 1) {
            folded = folded * 31 + fnv1a(rec + 8, length - 8);
            got++;
        }
        *(uint64_t *)rec = ((uint64_t)2 << 32) | aligned;   /* consumed marker */
        memset(rec + 8, 0, aligned - 8);
        __atomic_store_n((uint64_t *)rec, 0, __ATOMIC_RELEASE);
        h += aligned;
        __atomic_store_n(head, h, __ATOMIC_RELEASE);
        ring_room_doorbell(ring);
    }
    /* leave the slot */
    uint64_t mine = (gen << 32) | (uint32_t)getpid();
    __atomic_compare_exchange_n(owner, &mine, gen << 32, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    live.l_type = F_UNLCK; /* after the word says "closed": a clean close is never taken for a death */
    fcntl(fd, F_OFD_SETLK, &live);
    printf("COUNT %ld HASH %llu\n", got, (unsigned long long)folded);
    return 0;
}
