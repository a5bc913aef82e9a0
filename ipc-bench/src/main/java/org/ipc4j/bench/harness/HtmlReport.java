package org.ipc4j.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The self-contained HTML report: one file, the figures embedded as JSON, charts drawn as inline SVG by an
 * inline script. No external resource, so it opens from disk in any browser, offline.
 */
public final class HtmlReport {
    private HtmlReport() {
    }

    /** The page for a run. */
    public static String render(Results.Run run) {
        String template;
        try (InputStream in = HtmlReport.class.getResourceAsStream("report.html")) {
            if (in == null) {
                throw new IllegalStateException("report.html template missing from the class path");
            }
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return template.replace("/*DATA*/", Json.of(run));
    }

    /** Writes the page; creates parent directories. */
    public static void write(Results.Run run, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, render(run), StandardCharsets.UTF_8);
    }
}
