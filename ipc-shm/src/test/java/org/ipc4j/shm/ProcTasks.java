package org.ipc4j.shm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What Linux's /proc says about the threads of a process: which thread has a given name, which system call it
 * is blocked in, and how much processor time it (or the whole process) has used. For the doorbell tests.
 */
final class ProcTasks {
    /** {@code SYS_futex} of this machine (x86-64 202, AArch64 98). */
    static final int SYS_FUTEX = System.getProperty("os.arch").equals("aarch64") ? 98 : 202;

    private ProcTasks() {
    }

    /** The thread id of the thread of {@code pid} whose native name is {@code name} (15 characters at most), or -1. */
    static long tid(long pid, String name) throws IOException {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", "" + pid, "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip().equals(comm)) {
                        return Long.parseLong(task.getFileName().toString());
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return -1;
    }

    /** The thread's /proc/PID/task/TID/syscall line: "number arg1 arg2 ...", "running", or "" if gone. */
    static String syscall(long pid, long tid) {
        try {
            return Files.readString(Path.of("/proc", "" + pid, "task", "" + tid, "syscall"), StandardCharsets.UTF_8)
                    .strip();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Whether the thread is asleep in a shared {@code FUTEX_WAIT} (operation 0: the JVM's own waits are private
     * futexes, operation 128 or more).
     */
    static boolean inSharedFutexWait(long pid, long tid) {
        String[] fields = syscall(pid, tid).split(" ");
        return fields.length > 2 && fields[0].equals("" + SYS_FUTEX) && fields[2].equals("0x0");
    }

    /** Waits up to {@code millis} for the named thread of {@code pid} to sleep in a shared futex wait; its tid. */
    static long awaitSharedFutexWait(long pid, String name, long millis) throws IOException, InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        String last = "";
        while (System.nanoTime() < end) {
            long tid = tid(pid, name);
            if (tid > 0) {
                if (inSharedFutexWait(pid, tid)) {
                    return tid;
                }
                last = syscall(pid, tid);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("thread " + name + " of process " + pid + " did not sleep in a shared futex wait"
                + " within " + millis + " ms; its syscall line: " + last);
    }

    /** Nanoseconds of processor time the thread has used (schedstat, nanosecond resolution). */
    static long threadCpuNanos(long pid, long tid) throws IOException {
        String schedstat = Files.readString(Path.of("/proc", "" + pid, "task", "" + tid, "schedstat"));
        return Long.parseLong(schedstat.strip().split(" ")[0]);
    }

    /** Nanoseconds of processor time all threads of the process have used (utime + stime of /proc/PID/stat). */
    static long processCpuNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", "" + pid, "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is field 3 (state): utime is field 14, stime field 15
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * (1_000_000_000L / 100); // USER_HZ is 100 on Linux
    }
}
