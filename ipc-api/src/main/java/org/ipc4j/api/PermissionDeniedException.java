package org.ipc4j.api;

/** The object exists but its permissions do not let this process open it the way it asked. */
public class PermissionDeniedException extends IpcException {
    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(String message) {
        super(message);
    }
}
