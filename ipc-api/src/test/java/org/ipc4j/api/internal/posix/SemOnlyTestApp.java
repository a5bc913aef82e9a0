package org.ipc4j.api.internal.posix;

/**
 * Run by {@link NativeSupportTest} with class loading logged: {@code SemOnlyTestApp /NAME} creates, posts,
 * takes and removes a semaphore through the shared layer, touching nothing of message queues or epoll.
 * Exit 0 on success.
 */
public final class SemOnlyTestApp {
    private SemOnlyTestApp() {
    }

    public static void main(String[] args) throws Exception {
        NativeSupport.require(NativeSupport.Binding.SEM, "named semaphores");
        long sem = SemCalls.sem_open(args[0], OsConstants.O_CREAT | OsConstants.O_EXCL, 0600, 0);
        if (SemCalls.failed(sem)) {
            throw NativeErrors.exception("sem_open", args[0], Libc.errno());
        }
        try {
            if (SemCalls.sem_post(sem) != 0 || SemCalls.sem_trywait(sem) != 0) {
                throw NativeErrors.exception("sem_post/sem_trywait", args[0], Libc.errno());
            }
        } finally {
            SemCalls.sem_close(sem);
            SemCalls.sem_unlink(args[0]);
        }
        System.out.println("OK");
    }
}
