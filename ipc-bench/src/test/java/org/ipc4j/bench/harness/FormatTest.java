package org.ipc4j.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FormatTest {

    @Test
    void nanosPicksAUnitAndKeepsThreeFigures() {
        assertThat(Format.nanos(850)).isEqualTo("850 ns");
        assertThat(Format.nanos(1_234)).isEqualTo("1.2 us");
        assertThat(Format.nanos(12_345)).isEqualTo("12.3 us");
        assertThat(Format.nanos(123_456)).isEqualTo("123 us");
        assertThat(Format.nanos(1_234_567)).isEqualTo("1.23 ms");
        assertThat(Format.nanos(2_500_000_000L)).isEqualTo("2.50 s");
        assertThat(Format.nanos(Double.NaN)).isEqualTo("n/a");
    }

    @Test
    void sizesUseBinaryUnits() {
        assertThat(Format.size(32)).isEqualTo("32 B");
        assertThat(Format.size(1024)).isEqualTo("1 KiB");
        assertThat(Format.size(1536)).isEqualTo("1.5 KiB");
        assertThat(Format.size(65_536)).isEqualTo("64 KiB");
        assertThat(Format.size(1 << 20)).isEqualTo("1 MiB");
    }

    @Test
    void parseSizeAcceptsUnitsInAnyCase() {
        assertThat(Format.parseSize("32")).isEqualTo(32);
        assertThat(Format.parseSize("64k")).isEqualTo(65_536);
        assertThat(Format.parseSize("64K")).isEqualTo(65_536);
        assertThat(Format.parseSize("64KiB")).isEqualTo(65_536);
        assertThat(Format.parseSize("1m")).isEqualTo(1 << 20);
        assertThat(Format.parseSize("1MiB")).isEqualTo(1 << 20);
        assertThat(Format.parseSize("4096b")).isEqualTo(4096);
    }

    @Test
    void parseSizeRejectsGarbageNamingIt() {
        assertThatThrownBy(() -> Format.parseSize("lots")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"lots\"");
        assertThatThrownBy(() -> Format.parseSize("5000m")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5000m");
        assertThatThrownBy(() -> Format.parseSize("-1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratesAndMegabytes() {
        assertThat(Format.rate(950)).isEqualTo("950 /s");
        assertThat(Format.rate(950_000)).isEqualTo("950 k/s");
        assertThat(Format.rate(1_234_000)).isEqualTo("1.23 M/s");
        assertThat(Format.rate(Double.NaN)).isEqualTo("n/a");
        assertThat(Format.megabytes(12.345)).isEqualTo("12.3");
        assertThat(Format.megabytes(1234.5)).isEqualTo("1235");
        assertThat(Format.megabytes(Double.NaN)).isEqualTo("n/a");
    }

    @Test
    void padding() {
        assertThat(Format.pad("abc", 5)).isEqualTo("abc  ");
        assertThat(Format.pad("abcdef", 4)).isEqualTo("abc~");
        assertThat(Format.padLeft("7", 3)).isEqualTo("  7");
    }
}
