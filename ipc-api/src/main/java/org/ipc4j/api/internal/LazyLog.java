package org.ipc4j.api.internal;

import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLogger;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * An SLF4J logger made at its first use, and only if the application has an SLF4J binding. Why: SLF4J
 * initialises at the first {@code LoggerFactory.getLogger} and, when there is no binding, prints a warning
 * about that on standard error and then discards every message. ipc4j must print nothing the user did not
 * ask for, so without a binding it does not initialise SLF4J at all and discards its messages itself, as
 * SLF4J would. Thread-safe (at worst two threads look the same logger up).
 */
public final class LazyLog {
    private static volatile Boolean bound;

    private final String name;
    private volatile Logger logger;

    /** The logger named after {@code owner}. */
    public LazyLog(Class<?> owner) {
        this(owner.getName());
    }

    /** The logger {@code name}. */
    public LazyLog(String name) {
        this.name = name;
    }

    /** The logger; the first call initialises SLF4J if there is a binding, else it is a no-operation logger. */
    public Logger get() {
        Logger l = logger;
        if (l == null) {
            l = bindingPresent() ? LoggerFactory.getLogger(name) : NOPLogger.NOP_LOGGER;
            logger = l;
        }
        return l;
    }

    /**
     * Whether an SLF4J 2 provider is there for SLF4J to find (a service of the class loader that loaded SLF4J,
     * or one named by the {@code slf4j.provider} system property), found without initialising SLF4J.
     */
    public static boolean bindingPresent() {
        Boolean b = bound;
        if (b == null) {
            b = findBinding();
            bound = b;
        }
        return b;
    }

    private static boolean findBinding() {
        if (System.getProperty("slf4j.provider") != null) {
            return true;
        }
        try {
            ClassLoader loader = LoggerFactory.class.getClassLoader();
            return ServiceLoader.load(SLF4JServiceProvider.class, loader).stream().findAny().isPresent();
        } catch (java.util.ServiceConfigurationError | RuntimeException e) {
            // let SLF4J itself decide (and report)
            return true;
        }
    }
}
