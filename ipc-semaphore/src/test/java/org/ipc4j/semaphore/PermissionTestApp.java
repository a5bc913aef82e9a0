package org.ipc4j.semaphore;

/**
 * Child process for {@link PermissionIT}: {@code PermissionTestApp sem|mutex NAME} opens an existing object
 * and prints {@code RESULT} with the outcome: {@code opened}, or the exception's class and message.
 */
public final class PermissionTestApp {
    private PermissionTestApp() {
    }

    public static void main(String[] args) {
        try {
            AutoCloseable opened = args[0].equals("sem") ? NamedSemaphore.open(args[1]) : NamedMutex.open(args[1]);
            opened.close();
            System.out.println("RESULT opened");
        } catch (Exception e) {
            System.out.println("RESULT " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
