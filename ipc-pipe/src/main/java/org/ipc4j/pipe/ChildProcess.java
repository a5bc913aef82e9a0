package org.ipc4j.pipe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.LazyLog;
import org.ipc4j.pipe.internal.ChildPipes;
import org.ipc4j.pipe.internal.FdReceiveEnd;
import org.ipc4j.pipe.internal.FdSendEnd;
import org.ipc4j.pipe.internal.Handshake;
import org.ipc4j.pipe.internal.PipeChannel;
import org.ipc4j.pipe.internal.StreamReceiveEnd;
import org.ipc4j.pipe.internal.StreamSendEnd;

/**
 * A child process connected to this one by anonymous pipes on its standard input and output: Python's
 * {@code Pipe()} plus {@code Process(target=...)} in one object.
 *
 * <pre>{@code
 * try (ChildProcess worker = ChildProcess.startJava(Worker.class)) {    // Worker calls ParentChannel.open()
 *     byte[] reply = worker.channel().receive();
 *     worker.join();
 * }
 * }</pre>
 *
 * <p><b>Two modes.</b> A <em>framed</em> child has a message {@link Channel} ({@link #channel()}): a Java
 * child started with {@link #startJava} (which opens its end with {@link ParentChannel#open()}), or any
 * program that speaks the ipc4j framing (4-byte big-endian length, then the payload) started with
 * {@code builder(...).framed(true)}. A <em>raw</em> child, any program started with {@link #start}, gives its
 * standard input and output as plain streams ({@link #stdin()}, {@link #stdout()}), e.g. to feed
 * {@code sort} and read the result.
 *
 * <p><b>Blocking and ending.</b> The channel's operations block as {@link Channel} documents and honour
 * timeouts, interrupts and {@code close()}. On POSIX systems this process makes the two pipes itself and the
 * calling thread reads and writes them (no helper thread, waits in {@code poll(2)} slices of 50 ms): the
 * capacity each way is the kernel pipe's, {@code send} returns once the message is in the pipe, and
 * {@code trySend} fails when the pipe has no room. When the child exits or is killed, a receiver gets
 * {@link org.ipc4j.api.PeerGoneException} naming the exit code, after any messages the child completed, and
 * from the moment the child is known dead (that receive, or the JDK reporting its exit) every send throws
 * {@code PeerGoneException} too, so no message is written into a pipe nobody reads. {@link #closeChannel()}
 * (or closing the channel) gives the child end of file on its standard input. {@link #join(Duration)} waits for
 * the exit, {@link #kill()} sends SIGKILL. Without POSIX pipes (Windows) the channel runs over the JDK's
 * process streams with a reader and a writer thread and 256 KiB queues each way, as {@link StreamChannels}.
 *
 * <p><b>Standard error</b> goes to the SLF4J log by default, or where {@link Builder#stderr(StderrTarget)} says.
 * It is never lost: where the log would drop it (no SLF4J binding, or INFO off for the logger) it is copied to
 * this process's standard error, and when the child dies its last lines are part of the
 * {@link org.ipc4j.api.PeerGoneException}'s message.
 *
 * <p><b>Ownership.</b> The caller owns the child. {@link #close()} closes the pipes (end of file for the child),
 * waits up to the close grace (default 5 seconds) for it to exit and kills it (SIGKILL) if it has not.
 */
public final class ChildProcess implements AutoCloseable {
    private static final LazyLog LOG = new LazyLog(ChildProcess.class);

    private final Process process;
    private final String description;

    private final Channel channel;
    private final Duration closeGrace;
    private final ChildStderr stderr;
    private volatile boolean closed;

    private ChildProcess(Process process, String description, Builder b, ChildPipes pipes) {
        this.process = process;
        this.description = description;
        this.closeGrace = b.closeGrace;
        this.stderr = b.stderr.kind() == StderrTarget.Kind.LOG
                ? new ChildStderr(process, description, new LazyLog(b.stderr.loggerName()).get()) : null;
        this.channel = b.framed ? framedChannel(b, pipes) : null;
    }

    /**
     * The channel over the child's standard input and output: on this process's own pipe descriptors where it
     * made them ({@link ChildPipes}), read and written by the caller's thread; else over the JDK's process
     * streams through a reader and a writer thread.
     */
    private Channel framedChannel(Builder b, ChildPipes pipes) {
        String name = "pipe to child " + description + " (pid " + process.pid() + ")";
        LazyLog stray = new LazyLog(b.stderr.kind() == StderrTarget.Kind.LOG
                ? b.stderr.loggerName() : "org.ipc4j.pipe.child");
        // like standard error, a stray line is never lost: where the log would drop it, it goes to System.err
        Handshake preamble = b.java ? new Handshake(line -> {
            if (stray.get().isWarnEnabled()) {
                stray.get().warn("[{} pid {}] stdout before ParentChannel.open(): {}", description, process.pid(), line);
            } else {
                System.err.println(line);
            }
        }) : null;
        if (pipes == null) {
            return new PipeChannel(name,
                    new StreamSendEnd(name, process.getOutputStream(), b.maxMessageSize, StreamChannels.QUEUE_BYTES),
                    new StreamReceiveEnd(name, process.getInputStream(), b.maxMessageSize, StreamChannels.QUEUE_BYTES,
                            this::goneReason, preamble));
        }
        FdSendEnd out = new FdSendEnd(name, pipes.takeToChild(), b.maxMessageSize, this::goneReason);
        // the child is known dead once its output ends and it has exited, or once the JDK reports its exit:
        // from then on a send throws instead of writing into a pipe nobody will read
        FdReceiveEnd in = new FdReceiveEnd(name, pipes.takeFromChild(), b.maxMessageSize, this::goneReason, preamble,
                reason -> {
                    if (!process.isAlive()) {
                        out.peerGone(reason);
                    }
                });
        process.onExit().thenRun(() -> out.peerGone(goneReason()));
        return new PipeChannel(name, out, in);
    }

    // ------------------------------------------------------------------ starting

    /**
     * Starts a Java child running {@code mainClass} with this JVM's class path and module path and the given
     * arguments, with a framed {@link #channel()} to it. The child must call {@link ParentChannel#open()}. A
     * main class in a named module is launched as {@code -m module/class}, so a parent that runs on the module
     * path starts its children the same way.
     *
     * @throws IpcException if the process could not be started
     */
    public static ChildProcess startJava(Class<?> mainClass, String... args) throws IpcException {
        return javaBuilder(mainClass).args(args).start();
    }

    /**
     * Starts any program (searched on the PATH) in raw mode: {@link #stdin()} and {@link #stdout()} are its
     * standard input and output; standard error goes to the log.
     *
     * @throws IpcException if the program could not be started (the message names the command)
     */
    public static ChildProcess start(String... command) throws IpcException {
        return builder(command).start();
    }

    /** A builder for a Java child running {@code mainClass}; framed by default. */
    public static Builder javaBuilder(Class<?> mainClass) {
        Builder b = new Builder(null, Objects.requireNonNull(mainClass, "mainClass").getName());
        Module module = mainClass.getModule();
        b.mainModule = module.isNamed() ? module.getName() : null;
        return b;
    }

    /**
     * A builder for a Java child running the class named {@code mainClassName}; framed by default. The name
     * may be {@code module/class}; a plain class name whose package belongs to a module of this JVM's boot
     * layer is launched from that module.
     */
    public static Builder javaBuilder(String mainClassName) {
        return new Builder(null, Objects.requireNonNull(mainClassName, "mainClassName"));
    }

    /** A builder for any program; raw by default. */
    public static Builder builder(String... command) {
        Objects.requireNonNull(command, "command");
        if (command.length == 0) {
            throw new IllegalArgumentException("command must name a program");
        }
        return new Builder(List.of(command), null);
    }

    /** Configures a child before {@link #start()}. Not thread-safe; each call returns this builder. */
    public static final class Builder {
        private final List<String> command;
        private final String mainClass;
        private final boolean java;
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String classPath = System.getProperty("java.class.path");
        private String modulePath = System.getProperty("jdk.module.path");
        private String mainModule;
        private Path javaExecutable = Path.of(System.getProperty("java.home"), "bin",
                System.getProperty("os.name", "").startsWith("Windows") ? "java.exe" : "java");
        private StderrTarget stderr = StderrTarget.log();
        private boolean framed;
        private int maxMessageSize = Framing.DEFAULT_MAX_FRAME;
        private Duration closeGrace = Duration.ofSeconds(5);
        private Path directory;

        private Builder(List<String> command, String mainClass) {
            this.command = command;
            this.mainClass = mainClass;
            this.mainModule = mainClass == null ? null : JavaLaunch.moduleOf(mainClass);
            this.java = mainClass != null;
            this.framed = java;
        }

        /** JVM options such as {@code -Xmx64m} or {@code -Dkey=value} (Java children only). */
        public Builder jvmOptions(String... options) {
            requireJava("jvmOptions");
            jvmOptions.addAll(Arrays.asList(options));
            return this;
        }

        /** JVM options (Java children only). */
        public Builder jvmOptions(List<String> options) {
            requireJava("jvmOptions");
            jvmOptions.addAll(options);
            return this;
        }

        /** Arguments passed to the main method, or appended to the program's command line. */
        public Builder args(String... arguments) {
            args.addAll(Arrays.asList(Objects.requireNonNull(arguments, "arguments")));
            return this;
        }

        /** The child's class path; default: this JVM's {@code java.class.path} (Java children only). */
        public Builder classPath(String path) {
            requireJava("classPath");
            this.classPath = Objects.requireNonNull(path, "path");
            return this;
        }

        /**
         * The child's module path; default: this JVM's ({@code jdk.module.path}, none when it runs on the class
         * path only). Java children only.
         */
        public Builder modulePath(String path) {
            requireJava("modulePath");
            this.modulePath = Objects.requireNonNull(path, "path");
            return this;
        }

        /** The {@code java} launcher; default: the one running this JVM (Java children only). */
        public Builder javaExecutable(Path path) {
            requireJava("javaExecutable");
            this.javaExecutable = Objects.requireNonNull(path, "path");
            return this;
        }

        /** Where the child's standard error goes; default {@link StderrTarget#log()}. */
        public Builder stderr(StderrTarget target) {
            this.stderr = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * Whether the child gets a framed {@link ChildProcess#channel()} (true) or raw streams (false). Java
         * children are framed by default and then must call {@link ParentChannel#open()}; other programs are
         * raw by default, and when framed must read and write the ipc4j framing on standard input and output.
         */
        public Builder framed(boolean framed) {
            this.framed = framed;
            return this;
        }

        /** The largest message on the channel, both ways (passed on to a Java child); default 1 MiB. */
        public Builder maxMessageSize(int bytes) {
            this.maxMessageSize = Framing.checkMaxFrame(bytes);
            return this;
        }

        /** How long {@link ChildProcess#close()} waits for the child to exit before killing it; default 5 s. */
        public Builder closeGrace(Duration grace) {
            if (Objects.requireNonNull(grace, "grace").isNegative()) {
                throw new IllegalArgumentException("close grace must not be negative, got " + grace);
            }
            this.closeGrace = grace;
            return this;
        }

        /** The child's working directory; default this process's. */
        public Builder directory(Path dir) {
            this.directory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Adds or replaces one environment variable of the child (it inherits the rest). */
        public Builder environment(String name, String value) {
            environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        private void requireJava(String what) {
            if (!java) {
                throw new IllegalStateException(what + " applies to Java children only (javaBuilder)");
            }
        }

        /**
         * Starts the child. The caller owns the result.
         *
         * @throws IpcException if the process could not be started (missing program, no permission)
         */
        public ChildProcess start() throws IpcException {
            List<String> cmd = new ArrayList<>();
            String description;
            if (java) {
                cmd.add(javaExecutable.toString());
                cmd.addAll(jvmOptions);
                cmd.add("-D" + ParentChannel.MAX_MESSAGE_SIZE_PROPERTY + "=" + maxMessageSize);
                cmd.addAll(JavaLaunch.mainArguments(classPath, modulePath, mainModule, JavaLaunch.className(mainClass)));
                String simple = JavaLaunch.className(mainClass);
                description = simple.substring(simple.lastIndexOf('.') + 1);
            } else {
                cmd.addAll(command);
                description = Path.of(command.get(0)).getFileName().toString();
            }
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            if (directory != null) {
                pb.directory(directory.toFile());
            }
            pb.environment().putAll(environment);
            switch (stderr.kind()) {
                case INHERIT -> pb.redirectError(ProcessBuilder.Redirect.INHERIT);
                case FILE -> pb.redirectError(ProcessBuilder.Redirect.appendTo(stderr.file().toFile()));
                case DISCARD -> pb.redirectError(ProcessBuilder.Redirect.DISCARD);
                default -> pb.redirectError(ProcessBuilder.Redirect.PIPE);
            }
            ChildPipes pipes = framed && ChildPipes.supported() ? ChildPipes.create() : null;
            if (pipes != null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(pipes.childStdin()));
                pb.redirectOutput(ProcessBuilder.Redirect.to(pipes.childStdout()));
            }
            Process process;
            try {
                process = pb.start();
            } catch (IOException e) {
                if (pipes != null) {
                    pipes.close();
                }
                throw new IpcException("could not start the child process " + cmd + ": " + e.getMessage(), e);
            } finally {
                if (pipes != null) {
                    pipes.closeChildEnds();
                }
            }
            LOG.get().debug("started child {} pid {}: {}", description, process.pid(), cmd);
            try {
                return new ChildProcess(process, description, this, pipes);
            } catch (RuntimeException e) {
                if (pipes != null) {
                    pipes.close();
                }
                process.destroyForcibly();
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ using

    /**
     * The framed message channel to the child. Owned by this object: closing it gives the child end of file
     * and leaves the process running; {@link #close()} closes it too.
     *
     * @throws IllegalStateException for a raw child
     */
    public Channel channel() {
        if (channel == null) {
            throw new IllegalStateException("the child " + description + " was started raw: use stdin()/stdout(),"
                    + " or start it with framed(true)");
        }
        return channel;
    }

    /**
     * The child's standard input (raw mode). Writes block while the pipe is full; closing it gives the child end
     * of file.
     *
     * @throws IllegalStateException for a framed child
     */
    public OutputStream stdin() {
        requireRaw("stdin()");
        return process.getOutputStream();
    }

    /**
     * The child's standard output (raw mode). Reads block until the child writes; -1 once it has closed its output
     * or exited.
     *
     * @throws IllegalStateException for a framed child
     */
    public InputStream stdout() {
        requireRaw("stdout()");
        return process.getInputStream();
    }

    private void requireRaw(String what) {
        if (channel != null) {
            throw new IllegalStateException(what + " is not available: the child " + description + " is framed and its"
                    + " standard streams carry the channel()");
        }
    }

    /** Closes this side of the pipes: the child reads end of file. The process keeps running. */
    public void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IpcException ignored) {
                // the ends release their descriptors or streams whatever happens; nothing is left to undo
            }
        } else {
            try {
                process.getOutputStream().close();
            } catch (IOException ignored) {
                // the child is gone already; end of file is what it gets either way
            }
        }
    }

    /**
     * The child's process id.
     *
     * @return the pid, as {@link Process#pid()} gives it
     */
    public long pid() {
        return process.pid();
    }

    /**
     * Whether the child is still running; does not block.
     *
     * @return {@code true} until the child has exited
     */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The underlying process, for what this class does not offer (e.g. {@code onExit()}). */
    public Process process() {
        return process;
    }

    /**
     * Waits for the child to exit.
     *
     * @return its exit code (128 + signal number if a signal killed it)
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public int join() throws InterruptedException {
        return process.waitFor();
    }

    /**
     * Waits at most {@code timeout} for the child to exit.
     *
     * @return true if it has exited (see {@link #exitCode()})
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public boolean join(Duration timeout) throws InterruptedException {
        return process.waitFor(Math.max(0, TimeUnit.NANOSECONDS.convert(timeout)), TimeUnit.NANOSECONDS);
    }

    /** The exit code, or empty while the child runs. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Asks the child to stop (SIGTERM on POSIX); it may run shutdown hooks. Does not wait. */
    public void terminate() {
        process.destroy();
    }

    /** Kills the child at once (SIGKILL on POSIX). Does not wait; use {@link #join(Duration)}. */
    public void kill() {
        process.destroyForcibly();
    }

    /**
     * Closes the pipes (the child reads end of file), waits up to the close grace for the child to exit, and
     * kills it if it is still running. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeChannel();
        boolean interrupted = false;
        try {
            if (!process.waitFor(closeGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.get().debug("child {} pid {} did not exit within {} of close; killing it", description, pid(), closeGrace);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            interrupted = true;
            process.destroyForcibly();
        }
        if (channel == null) {
            closeQuietly(process.getInputStream());
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // clean-up after the child is gone
        }
    }

    /**
     * Called when the child's output ends or it has exited: say why, with the exit code if known and, when
     * this process reads the child's standard error ({@link StderrTarget#log()}), its last lines: a child that
     * died of an exception, or never started ("Could not find or load main class"), says so there.
     */
    private String goneReason() {
        String who = "child " + description + " (pid " + process.pid() + ")";
        try {
            // the output closes a moment before the exit is reported; wait a little for the exit code
            if (process.waitFor(1, TimeUnit.SECONDS)) {
                int code = process.exitValue();
                String how = code > 128 && code < 160 ? " (killed by signal " + (code - 128) + ")" : "";
                return who + " exited with code " + code + how + stderrTail();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return who + " closed its standard output";
    }

    private String stderrTail() {
        List<String> lines = stderr == null ? List.of() : stderr.tail(Duration.ofMillis(500));
        if (lines.isEmpty()) {
            return "";
        }
        return "; the end of its standard error:\n    " + String.join("\n    ", lines);
    }

    @Override
    public String toString() {
        return "ChildProcess[" + description + ", pid " + process.pid() + (process.isAlive() ? "" : ", exited") + "]";
    }
}
