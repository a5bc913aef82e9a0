package org.ipc4j.pipe.internal;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.NativeErrors;
import org.ipc4j.api.internal.posix.OsConstants;
import org.ipc4j.api.internal.posix.Scratch;

/**
 * The two anonymous pipes of a framed child process, made here rather than by {@link ProcessBuilder}, so that
 * this process holds their raw descriptors and can read and write them on the caller's thread with
 * {@code poll(2)}. The JDK's own process streams wrap descriptors it never exposes (a
 * {@code FileDescriptor}'s number is private to {@code java.base}), and a blocking stream can only be given
 * timeouts and close-wake-ups through helper threads, which is one thread hand-over per message.
 *
 * <p>How the child gets them: {@link ProcessBuilder.Redirect#from(File)} and {@link ProcessBuilder.Redirect#to(File)}
 * open a path in this process just before the fork, and {@code /proc/self/fd/N} ({@code /dev/fd/N} on macOS)
 * is a path to the pipe end N itself. So the child's standard input is the read end of one pipe, its
 * standard output the write end of the other, and nothing is named in the file system. After the start this
 * process closes its copies of the child's ends, so that the child's exit is end of file here.
 */
public final class ChildPipes implements AutoCloseable {
    private int childIn = -1;
    private int parentOut = -1;
    private int parentIn = -1;
    private int childOut = -1;

    private ChildPipes() {
    }

    /**
     * Whether pipes can be made here (POSIX, with ipc-api's native calls available); elsewhere the JDK's process
     * streams are used. Asked before any native call here.
     */
    public static boolean supported() {
        return Fifos.capability("pipe").supported();
    }

    /**
     * Makes both pipes; this process's ends are non-blocking, every descriptor is close-on-exec.
     *
     * @throws IpcException if pipe(2) fails (e.g. EMFILE)
     */
    public static ChildPipes create() throws IpcException {
        ChildPipes p = new ChildPipes();
        try {
            int[] toChild = pipe();
            p.childIn = toChild[0];
            p.parentOut = toChild[1];
            int[] fromChild = pipe();
            p.parentIn = fromChild[0];
            p.childOut = fromChild[1];
            nonBlocking(p.parentOut);
            nonBlocking(p.parentIn);
            return p;
        } catch (IpcException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** A path the JDK opens to give the child the read end of the pipe towards it as standard input. */
    public File childStdin() {
        return path(childIn);
    }

    /** A path the JDK opens to give the child the write end of the pipe from it as standard output. */
    public File childStdout() {
        return path(childOut);
    }

    /** Once the child has started (or failed to): drop this process's copies of the child's ends. */
    public void closeChildEnds() {
        childIn = Fd.close(childIn);
        childOut = Fd.close(childOut);
    }

    /** Hands over the write end of the pipe to the child; the caller owns it from now on. */
    public int takeToChild() {
        int fd = parentOut;
        parentOut = -1;
        return fd;
    }

    /** Hands over the read end of the pipe from the child; the caller owns it from now on. */
    public int takeFromChild() {
        int fd = parentIn;
        parentIn = -1;
        return fd;
    }

    /** Closes whatever has not been handed over. */
    @Override
    public void close() {
        closeChildEnds();
        parentOut = Fd.close(parentOut);
        parentIn = Fd.close(parentIn);
    }

    /**
     * For the child's side: if standard input and output are pipes, moves them to new close-on-exec,
     * non-blocking descriptors and points descriptor 0 at {@code /dev/null} and descriptor 1 at standard error,
     * so that nothing else in the process (a saved {@code PrintStream}, native code) can write into the message
     * stream, and no child of this process inherits it.
     *
     * @return {input, output}, owned by the caller; or null if either is not a pipe (then nothing was changed)
     * @throws IpcException if a descriptor call fails
     */
    public static int[] takeOverStandardStreams() throws IpcException {
        if (!supported() || !isPipe(0) || !isPipe(1)) {
            return null;
        }
        int in = -1;
        int out = -1;
        int devNull = -1;
        try {
            in = check(Libc.fcntl(0, OsConstants.F_DUPFD, 3), "fcntl(F_DUPFD)", "0");
            closeOnExec(in);
            out = check(Libc.fcntl(1, OsConstants.F_DUPFD, 3), "fcntl(F_DUPFD)", "1");
            closeOnExec(out);
            devNull = check(Libc.open("/dev/null", OsConstants.O_RDONLY | OsConstants.O_CLOEXEC), "open", "/dev/null");
            check(Libc.dup2(devNull, 0), "dup2", "/dev/null onto 0");
            check(Libc.dup2(2, 1), "dup2", "2 onto 1");
            nonBlocking(in);
            nonBlocking(out);
            int[] result = {in, out};
            in = -1;
            out = -1;
            return result;
        } finally {
            Fd.close(devNull);
            Fd.close(in);
            Fd.close(out);
        }
    }

    private static boolean isPipe(int fd) {
        try {
            return Fd.isFifoMode((Integer) Files.getAttribute(Fd.path(fd), "unix:mode"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static File path(int fd) {
        return Fd.path(fd).toFile();
    }

    /** pipe(2), both ends close-on-exec: {read end, write end}. */
    private static int[] pipe() throws IpcException {
        Scratch scratch = Scratch.get();
        check(Libc.pipe(scratch.address(Scratch.WORD)), "pipe", null);
        ByteBuffer ends = scratch.memory();
        int[] fds = {ends.getInt(Scratch.WORD), ends.getInt(Scratch.WORD + Integer.BYTES)};
        try {
            closeOnExec(fds[0]);
            closeOnExec(fds[1]);
        } catch (IpcException e) {
            Fd.close(fds[0]);
            Fd.close(fds[1]);
            throw e;
        }
        return fds;
    }

    private static void closeOnExec(int fd) throws IpcException {
        check(Libc.fcntl(fd, OsConstants.F_SETFD, OsConstants.FD_CLOEXEC), "fcntl(F_SETFD)", String.valueOf(fd));
    }

    static void nonBlocking(int fd) throws IpcException {
        int flags = check(Libc.fcntl(fd, OsConstants.F_GETFL), "fcntl(F_GETFL)", String.valueOf(fd));
        check(Libc.fcntl(fd, OsConstants.F_SETFL, flags | OsConstants.O_NONBLOCK), "fcntl(F_SETFL)",
                String.valueOf(fd));
    }

    /** The result of a descriptor call, or its failure (EMFILE, ENFILE: a limit) by the shared errno mapping. */
    private static int check(int result, String function, String argument) throws IpcException {
        if (result < 0) {
            throw NativeErrors.exception(function, argument, Libc.errno());
        }
        return result;
    }
}
