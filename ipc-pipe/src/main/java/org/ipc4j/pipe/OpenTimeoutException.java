package org.ipc4j.pipe;

import java.nio.file.Path;
import org.ipc4j.api.IpcException;

/**
 * Opening a FIFO waited for the other side (a writer for a reader, a reader for a writer) longer than the
 * timeout allowed. Nothing is left open and no thread is left waiting; the FIFO itself is untouched.
 */
public class OpenTimeoutException extends IpcException {
    private static final long serialVersionUID = 1L;
    private final String path;

    public OpenTimeoutException(Path path, boolean forWriting) {
        super("no " + (forWriting ? "reader" : "writer") + " opened the FIFO " + path + " before the timeout; a FIFO"
                + " open waits until both sides have opened it");
        this.path = path.toString();
    }

    /** The FIFO that was being opened. */
    public String path() {
        return path;
    }
}
