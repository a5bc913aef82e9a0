package org.ipc4j.api.internal.posix;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The POSIX message-queue functions, from whichever library has them (libc since glibc 2.34, librt before).
 * Call only after {@link NativeSupport#isAvailable} said {@link NativeSupport.Binding#MQ} works: loading this
 * class binds native code, and nothing else in ipc4j binds {@code mq_*}.
 *
 * <p>Hot calls ({@code mq_timedsend}, {@code mq_timedreceive}) are directly mapped with primitive arguments
 * only: memory is a {@code long} address, so a call converts nothing and allocates nothing. {@code mqd_t}
 * and {@code unsigned int} are {@code int}; {@code size_t}/{@code ssize_t} are {@code long}. {@code mq_open}
 * is variadic and goes through {@link Variadic}. Read errno with {@link Libc#errno()} right after a call
 * returned -1.
 */
public final class MqCalls {
    private static final String LIBRARY = Libraries.register(MqCalls.class, "mq_timedreceive");
    private static final Variadic VARIADIC = Native.load(LIBRARY, Variadic.class);

    private MqCalls() {
    }

    /** {@code mq_open(name, oflag)}: opens an existing queue (no {@code O_CREAT}, no variadic argument). */
    public static int mq_open(String name, int oflag) {
        return VARIADIC.mq_open(name, oflag);
    }

    /**
     * {@code mq_open(name, oflag, mode, attr)} with {@code O_CREAT}: mode and attributes passed as C variadic
     * arguments.
     *
     * @param attr address of a {@code struct mq_attr} ({@link Structs#MQ_ATTR_SIZE} bytes), or 0 for the
     *     system defaults
     */
    public static int mq_open(String name, int oflag, int mode, long attr) {
        return VARIADIC.mq_open(name, oflag, mode, attr == 0 ? null : new Pointer(attr));
    }

    public static native int mq_close(int mqdes);

    public static native int mq_unlink(String name);

    /** @param attr address of a {@code struct mq_attr} */
    public static native int mq_getattr(int mqdes, long attr);

    /** @param absTimeout address of a {@code struct timespec} on CLOCK_REALTIME */
    public static native int mq_timedsend(int mqdes, long message, long length, int priority, long absTimeout);

    /**
     * @param priority address of an {@code unsigned int} that receives the priority, or 0
     * @param absTimeout address of a {@code struct timespec} on CLOCK_REALTIME
     * @return the message length or -1
     */
    public static native long mq_timedreceive(int mqdes, long buffer, long length, long priority, long absTimeout);

    /**
     * {@code mqd_t mq_open(const char *name, int oflag, ...)}: the mode and the attribute pointer are read with
     * {@code va_arg} only when {@code O_CREAT} is set, so they are Java varargs here.
     */
    public interface Variadic extends Library {
        int mq_open(String name, int oflag, Object... modeAndAttributes);
    }
}
