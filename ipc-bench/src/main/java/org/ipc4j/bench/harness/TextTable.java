package org.ipc4j.bench.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table of fixed column widths for the console: a cell wider than its column wraps onto
 * further lines of the row (at spaces where it can), so that nothing is cut and no line is longer than
 * the widths add up to. Numeric columns are right-aligned.
 */
final class TextTable {
    /** The widest line the console report prints. */
    static final int MAX_WIDTH = 100;

    private final int[] widths;
    private final boolean[] right;
    private final String indent;
    private final StringBuilder out = new StringBuilder();

    /** Columns of {@code widths}; {@code numericFrom} and later columns are right-aligned. */
    TextTable(String indent, int numericFrom, int... widths) {
        this.indent = indent;
        this.widths = widths.clone();
        this.right = new boolean[widths.length];
        for (int i = numericFrom; i < widths.length; i++) {
            right[i] = true;
        }
    }

    /** A row; missing trailing cells are empty, one cell beyond the columns spans the rest of the line. */
    TextTable row(String... cells) {
        List<List<String>> wrapped = new ArrayList<>();
        int height = 1;
        for (int i = 0; i < widths.length; i++) {
            String c = i < cells.length && cells[i] != null ? cells[i] : "";
            List<String> lines = wrap(c, widths[i]);
            wrapped.add(lines);
            height = Math.max(height, lines.size());
        }
        for (int line = 0; line < height; line++) {
            StringBuilder sb = new StringBuilder(indent);
            for (int i = 0; i < widths.length; i++) {
                List<String> lines = wrapped.get(i);
                String text = line < lines.size() ? lines.get(line) : "";
                sb.append(right[i] ? Format.padLeft(text, widths[i]) : text + " ".repeat(widths[i] - text.length()));
                if (i < widths.length - 1) {
                    sb.append(' ');
                }
            }
            out.append(sb.toString().stripTrailing()).append('\n');
        }
        return this;
    }

    /** A row whose first cell is as usual and whose second spans the rest of the line, wrapped. */
    TextTable span(String first, String rest) {
        int used = indent.length() + widths[0] + 1;
        List<String> lines = wrap(rest, MAX_WIDTH - used);
        List<String> firsts = wrap(first, widths[0]);
        for (int i = 0; i < Math.max(lines.size(), firsts.size()); i++) {
            String f = i < firsts.size() ? firsts.get(i) : "";
            String r = i < lines.size() ? lines.get(i) : "";
            out.append((indent + f + " ".repeat(widths[0] - f.length()) + " " + r).stripTrailing()).append('\n');
        }
        return this;
    }

    /** A rule under the header. */
    TextTable rule() {
        int w = indent.length() + widths.length - 1;
        for (int x : widths) {
            w += x;
        }
        out.append(indent).append("-".repeat(w - indent.length())).append('\n');
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /** Word-wraps {@code text} into lines of at most {@code width} characters (long words are split). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        String rest = text.strip();
        while (rest.length() > width) {
            int cut = rest.lastIndexOf(' ', width);
            if (cut <= 0) {
                cut = width;
            }
            lines.add(rest.substring(0, cut).stripTrailing());
            rest = rest.substring(cut).strip();
        }
        if (!rest.isEmpty() || lines.isEmpty()) {
            lines.add(rest);
        }
        return lines;
    }

    /** Wraps free text to {@link #MAX_WIDTH}, keeping its indentation; continuation lines start with {@code hang}. */
    static String paragraph(String text, String hang) {
        String body = text.stripLeading();
        String lead = text.substring(0, text.length() - body.length());
        List<String> lines = wrap(body, MAX_WIDTH - lead.length());
        StringBuilder sb = new StringBuilder(lead).append(lines.get(0)).append('\n');
        if (lines.size() > 1) {
            String rest = body.strip().substring(lines.get(0).length()).strip();
            for (String l : wrap(rest, MAX_WIDTH - hang.length())) {
                sb.append(hang).append(l).append('\n');
            }
        }
        return sb.toString();
    }
}
