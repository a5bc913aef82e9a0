package org.ipc4j.api;

/**
 * Shared state read from outside this process is not what the format says it must be: a wrong magic
 * number or version, a size that does not fit, a record length out of range. The message names the
 * object and the field. Nothing is written to the object after this is reported.
 */
public class CorruptedStateException extends IpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Reports a shared object whose content is not what this version of ipc4j wrote.
     *
     * @param message what is wrong, naming the object and the field
     */
    public CorruptedStateException(String message) {
        super(message);
    }
}
