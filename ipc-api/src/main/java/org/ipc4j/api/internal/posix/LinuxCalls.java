package org.ipc4j.api.internal.posix;

/**
 * The Linux-only functions of the C library: epoll and block allocation. Call only after
 * {@link NativeSupport#isAvailable} said {@link NativeSupport.Binding#LINUX} works: loading this class binds
 * native code, and elsewhere the symbols do not exist. Direct mapping with primitive arguments, as in
 * {@link Libc}; read errno with {@link Libc#errno()} right after a call returned -1.
 */
public final class LinuxCalls {
    static {
        Libraries.register(LinuxCalls.class, "epoll_create1");
    }

    private LinuxCalls() {
    }

    public static native int epoll_create1(int flags);

    /** @param event address of a {@code struct epoll_event} ({@link Structs#EPOLL_EVENT_SIZE} bytes) */
    public static native int epoll_ctl(int epfd, int op, int fd, long event);

    /** @param events address of {@code maxEvents} {@code struct epoll_event} */
    public static native int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis);

    /**
     * Allocates the blocks of {@code [offset, offset + length)}, growing the file if needed.
     *
     * @return 0, or an error number: unlike most calls it does not set errno
     */
    public static native int posix_fallocate(int fd, long offset, long length);

    /** @param mode 0, or {@link OsConstants#FALLOC_FL_KEEP_SIZE}; returns -1 and sets errno on failure */
    public static native int fallocate(int fd, int mode, long offset, long length);
}
