package org.ipc4j.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private static List<Integer> percentages(String text) {
        List<Integer> p = new ArrayList<>();
        Matcher m = Pattern.compile("\\[bench\\] +(\\d+)% \\|").matcher(text);
        while (m.find()) {
            p.add(Integer.parseInt(m.group(1)));
        }
        return p;
    }

    /** Steps whose estimated weights are off (the second far heavier than it runs): the percentage never goes back. */
    private static String drive(boolean terminal) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress p = new Progress(out, 1_000, terminal);
        p.begin("a", 100);
        p.at(50, 100);
        p.at(100, 100);
        p.end();
        p.note("a: done");
        p.add(300);
        p.begin("b", 100);
        p.at(10, 100);
        p.end();
        p.begin("c", 500);
        p.at(250, 500);
        p.end();
        p.finish();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalOneLineUpdatesInPlaceAndNeverGoesBack() {
        String text = drive(true);
        List<Integer> p = percentages(text);
        assertThat(p).isNotEmpty().isSorted();
        assertThat(p.get(p.size() - 1)).isLessThanOrEqualTo(99);
        // one line, rewritten with a carriage return; the note is a line of its own above it
        assertThat(text).contains("\r[bench]").contains("[bench] a: done\n");
        assertThat(text.chars().filter(c -> c == '\n').count()).isEqualTo(1);
        for (String line : text.split("\r")) {
            assertThat(line.replace("\033[K", "").length()).isLessThanOrEqualTo(100);
        }
    }

    @Test
    void otherwisePlainLines() {
        String text = drive(false);
        assertThat(text).doesNotContain("\r").doesNotContain("\033");
        assertThat(percentages(text)).isSorted();
        assertThat(text).contains("[bench] a: done\n");
    }
}
