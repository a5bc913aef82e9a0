package org.ipc4j.api;

/** The object exists but its permissions do not let this process open it the way it asked. */
public class PermissionDeniedException extends IpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Reports an object this process may not open as asked.
     *
     * @param message the object, the access asked for and its permissions where known
     */
    public PermissionDeniedException(String message) {
        super(message);
    }
}
