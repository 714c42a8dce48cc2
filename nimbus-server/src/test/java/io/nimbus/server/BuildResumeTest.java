package io.nimbus.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A server stopped while a function was building finishes the build when it starts again. */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BuildResumeTest {

    @Test
    void aBuildInterruptedByAStopIsResumedAtStart() throws Exception {
        Path dataDir = Files.createTempDirectory("nimbus-resume-");
        Map<Setting, String> settings = Map.of(Setting.DATA_DIR, dataDir.toString());
        try (RunningNimbus first = RunningNimbus.start(settings)) {
            assumeTrue(CompiledRuntimesTest.available(first.client(), "rust-wasm"), "rust-wasm toolchain missing");
            Reply created = CompiledRuntimesTest.create(first.client(), "rust-resumed", "rust-wasm", null,
                    CompiledRuntimesTest.RUST_LENGTH + "\n// resumed\n", Map.of());
            assertThat(created.json().path("status").asText()).isEqualTo("building");
        }

        try (RunningNimbus second = RunningNimbus.start(settings)) {
            Reply function = second.client().await("/api/v1/functions/rust-resumed",
                    r -> !r.json().path("status").asText().equals("building"), Duration.ofMinutes(3));

            assertThat(function.json().path("status").asText()).isEqualTo("active");
            assertThat(second.client().invoke("rust-resumed", "[]").body()).isEqualTo("{\"length\":2}");
        }
    }
}
