package org.ipc4j.pipe.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.NativeException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.OsConstants;
import org.ipc4j.pipe.NamedPipe;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The check made on every opened FIFO descriptor, independent of any earlier path check: what the descriptor
 * is (read through /proc/self/fd) must be a FIFO owned by this user, and a link is never followed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FifoDescriptorCheckTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private static int openRaw(Path path, int flags) {
        int fd = Libc.open(path.toString(), flags | OsConstants.O_CLOEXEC);
        assertThat(fd).as("open " + path).isGreaterThanOrEqualTo(0);
        return fd;
    }

    @Test
    void ownFifoPassesAndAnotherUsersFifoIsRefusedByDescriptor() throws Exception {
        Path fifo = names.uniquePath("own", ".fifo");
        NamedPipe.create(fifo);
        int fd = openRaw(fifo, OsConstants.O_RDONLY | OsConstants.O_NONBLOCK);
        try {
            Fifos.checkOpened(fd, fifo);
            assumeTrue(Libc.geteuid() == 0, "chown to another uid needs root");
            // the path check would now refuse too; the descriptor check must refuse on its own
            Files.setAttribute(fifo, "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);
            assertThatThrownBy(() -> Fifos.checkOpened(fd, fifo)).isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining(fifo.toString()).hasMessageContaining("owned by uid 65534");
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void aDescriptorOfSomethingElseIsRefused() throws Exception {
        Path file = names.uniquePath("file", ".txt");
        Files.writeString(file, "x");
        int fd = openRaw(file, OsConstants.O_RDONLY);
        try {
            assertThatThrownBy(() -> Fifos.checkOpened(fd, file)).isInstanceOf(IpcException.class)
                    .hasMessageContaining("not a FIFO");
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void openCheckedNeverFollowsALink() throws Exception {
        Path target = names.uniquePath("tgt", ".fifo");
        NamedPipe.create(target, OpenOptions.create());
        Path link = names.uniquePath("lnk", ".fifo");
        Files.createSymbolicLink(link, target);
        assertThatThrownBy(() -> Fifos.openChecked(link, OsConstants.O_RDONLY | OsConstants.O_NONBLOCK, false))
                .isInstanceOf(NativeException.class).hasMessageContaining("ELOOP").hasMessageContaining("symbolic link");
        int fd = Fifos.openChecked(target, OsConstants.O_RDONLY | OsConstants.O_NONBLOCK, false);
        assertThat(fd).isGreaterThanOrEqualTo(0);
        Libc.close(fd);
    }
}
