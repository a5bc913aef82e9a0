package org.ipc4j.api;

import java.io.IOException;

/**
 * The checked base of every failure ipc4j reports. Subclasses name the failures a caller can act on;
 * anything else (an unexpected errno, an I/O error of the operating system) is reported as a plain
 * {@code IpcException} or as a {@link NativeException} carrying the function and errno.
 *
 * <p>Bad arguments are not {@code IpcException}s: they are {@link IllegalArgumentException} or
 * {@link NullPointerException}, thrown at the call site before anything is done.
 */
public class IpcException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure described by {@code message}.
     *
     * @param message what failed, naming the object and the bad value
     */
    public IpcException(String message) {
        super(message);
    }

    /**
     * A failure described by {@code message}, caused by {@code cause} (e.g. the JDK's {@code IOException}).
     *
     * @param message what failed, naming the object and the bad value
     * @param cause the underlying failure
     */
    public IpcException(String message, Throwable cause) {
        super(message, cause);
    }
}
