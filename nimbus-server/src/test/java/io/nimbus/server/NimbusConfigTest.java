package io.nimbus.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings come from flags, then NIMBUS_* variables, then the YAML file, then defaults; bad ones stop the start. */
class NimbusConfigTest {

    @Test
    void flagsBeatTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("nimbus.yaml"), "server:\n  port: 9001\n  host: 0.0.0.0\npool:\n  max_invocations: 7\n");

        NimbusConfig config = NimbusConfig.load(Map.of(Setting.PORT, "9003"), file.toString(),
                Map.of("NIMBUS_PORT", "9002", "NIMBUS_HOST", "127.0.0.2"));

        assertThat(config.integer(Setting.PORT)).isEqualTo(9003);
        assertThat(config.host()).isEqualTo("127.0.0.2");
        assertThat(config.integer(Setting.MAX_INVOCATIONS)).isEqualTo(7);
        assertThat(config.integer(Setting.IDLE_TTL_SEC)).isEqualTo(600);
    }

    @Test
    void stemCellSizesAreAList() {
        NimbusConfig config = NimbusConfig.load(Map.of(), null, Map.of("NIMBUS_STEM_CELLS_MEMORY_MB", "128, 256"));

        assertThat(config.integers(Setting.STEM_CELLS_MEMORY_MB)).containsExactly(128, 256);
    }

    @Test
    void badSettingsStopTheStartNamingTheSetting(@TempDir Path dir) throws IOException {
        Path unknown = Files.writeString(dir.resolve("unknown.yaml"), "pool:\n  colour: blue\n");

        assertThatThrownBy(() -> NimbusConfig.load(Map.of(), unknown.toString(), Map.of()))
                .hasMessageContaining("pool.colour");
        assertThatThrownBy(() -> NimbusConfig.load(Map.of(Setting.PORT, "eighty"), null, Map.of()))
                .hasMessageContaining("server.port");
        assertThatThrownBy(() -> NimbusConfig.load(Map.of(), null, Map.of("NIMBUS_ASYNC_CONCURRENCY", "0")))
                .hasMessageContaining("async.concurrency");
        assertThatThrownBy(() -> NimbusConfig.load(Map.of(Setting.STORE, "mysql"), null, Map.of()))
                .hasMessageContaining("store.kind");
        assertThatThrownBy(() -> NimbusConfig.load(Map.of(), null, Map.of("NIMBUS_STEM_CELLS_MEMORY_MB", "32")))
                .hasMessageContaining("stem_cells.memory_mb");
        assertThatThrownBy(() -> NimbusConfig.load(Map.of(), null, Map.of("NIMBUS_SANDBOX_ALLOW_PROCESS", "yes")))
                .hasMessageContaining("sandbox.allow_process");
    }
}
