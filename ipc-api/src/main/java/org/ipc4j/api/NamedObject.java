package org.ipc4j.api;

/**
 * An endpoint on an operating-system object that has a name other processes open it by: a shared-memory
 * region, a message queue, a semaphore, a FIFO, a Unix socket file.
 *
 * <p>Names outlive processes. Whoever creates an object decides who removes its name: call
 * {@link #unlink()} once no new process needs to open it, or open with
 * {@link OpenOptions#unlinkOnClose(boolean)}. Processes that have it open keep using it after the unlink.
 */
public interface NamedObject extends Endpoint {

    /** The name this object was opened by, as given (validated). */
    String name();

    /**
     * Removes the name, so no new process can open the object. Idempotent: removing a name that is already
     * gone does nothing. Works on a closed endpoint too.
     *
     * @throws IpcException if the name exists but could not be removed (for example, no permission)
     */
    void unlink() throws IpcException;
}
