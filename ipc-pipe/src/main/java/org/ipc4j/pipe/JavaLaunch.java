package org.ipc4j.pipe;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of a Java child's command line that says where its classes are and what to run. A parent on the
 * class path passes its class path; a parent on the module path passes its module path and launches a main
 * class of a named module as {@code -m module/class} (with only {@code -cp}, the child could not find it).
 */
final class JavaLaunch {
    private JavaLaunch() {
    }

    /**
     * The module of {@code mainClass}: the part before a {@code /}, or else the module of this JVM's boot layer
     * that holds its package; null for a class of the class path.
     */
    static String moduleOf(String mainClass) {
        int slash = mainClass.indexOf('/');
        if (slash >= 0) {
            return mainClass.substring(0, slash);
        }
        int dot = mainClass.lastIndexOf('.');
        if (dot < 0) {
            return null;
        }
        String pkg = mainClass.substring(0, dot);
        return ModuleLayer.boot().modules().stream().filter(m -> m.getPackages().contains(pkg))
                .map(Module::getName).findFirst().orElse(null);
    }

    /** {@code mainClass} without a {@code module/} prefix. */
    static String className(String mainClass) {
        return mainClass.substring(mainClass.indexOf('/') + 1);
    }

    /**
     * {@code --module-path} and {@code -cp} where given, then {@code -m module/class} for a class of a named
     * module, else the class name (with {@code --add-modules ALL-MODULE-PATH}, so that the modules a class-path
     * main uses from the module path are resolved as they were in the parent).
     */
    static List<String> mainArguments(String classPath, String modulePath, String mainModule, String mainClass) {
        List<String> cmd = new ArrayList<>();
        boolean hasModulePath = modulePath != null && !modulePath.isEmpty();
        if (hasModulePath) {
            cmd.add("--module-path");
            cmd.add(modulePath);
        }
        if (classPath != null && !classPath.isEmpty()) {
            cmd.add("-cp");
            cmd.add(classPath);
        }
        if (mainModule != null) {
            cmd.add("-m");
            cmd.add(mainModule + "/" + mainClass);
        } else {
            if (hasModulePath) {
                cmd.add("--add-modules");
                cmd.add("ALL-MODULE-PATH");
            }
            cmd.add(mainClass);
        }
        return cmd;
    }
}
