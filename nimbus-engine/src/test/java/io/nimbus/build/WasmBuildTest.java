package io.nimbus.build;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Rust and C built to WebAssembly in the build sandbox: the modules' exports, compile errors, timeouts. */
// Guards against a build that never ends; not a time assertion.
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WasmBuildTest {
    private static final String RUST_HANDLER = """
            use std::alloc::{alloc as allocate, Layout};

            #[no_mangle]
            pub extern "C" fn alloc(size: u32) -> *mut u8 {
                unsafe { allocate(Layout::from_size_align(size as usize, 1).unwrap()) }
            }

            #[no_mangle]
            pub extern "C" fn handle(ptr: *const u8, len: u32) -> i64 {
                let event = unsafe { std::slice::from_raw_parts(ptr, len as usize) };
                let out = format!("{{\\"length\\":{}}}", event.len()).into_bytes().leak();
                ((out.as_ptr() as i64) << 32) | out.len() as i64
            }
            """;
    private static final String C_HANDLER = """
            #include <stdint.h>
            #include <stdio.h>
            #include <stdlib.h>

            int64_t handle(const char *event, uint32_t len) {
                char *out = malloc(32);
                int n = snprintf(out, 32, "{\\"length\\":%u}", len);
                return ((int64_t)(uintptr_t)out << 32) | (uint32_t)n;
            }
            """;

    @TempDir
    Path dataDir;

    @Test
    void aRustHandlerBuildsIntoAModuleWithTheHandlerAbi() throws Exception {
        BuildFixture fixture = fixtureFor(Toolchains.RUST_WASM);

        Artifact artifact = fixture.built(fixture.function("rust-wasm", "handle", Map.of("lib.rs", RUST_HANDLER)));

        assertThat(artifact.mode()).isEqualTo(Artifact.Mode.WASM_ABI);
        assertThat(startOf(artifact.entryFile())).isEqualTo("\0asm");
        assertThat(WasmExports.of(artifact.entryFile())).contains("memory", "alloc", "handle");
    }

    @Test
    void aRustModuleWithoutTheAbiExportsFailsTheBuildNamingWhatIsMissing() throws Exception {
        BuildFixture fixture = fixtureFor(Toolchains.RUST_WASM);

        BuildOutcome outcome = fixture.build(fixture.function("rust-wasm", "handle", Map.of("lib.rs", """
                #[no_mangle]
                pub extern "C" fn handle(ptr: *const u8, len: u32) -> i64 { len as i64 }
                """)));

        assertThat(outcome).isInstanceOfSatisfying(BuildOutcome.BuildFailed.class, failed ->
                assertThat(failed.diagnostics()).contains("does not export alloc"));
    }

    @Test
    void aRustCompileErrorFailsTheBuildWithTheCompilersFileAndLine() throws Exception {
        BuildFixture fixture = fixtureFor(Toolchains.RUST_WASM);

        BuildOutcome outcome = fixture.build(fixture.function("rust-wasm", "handle", Map.of("lib.rs",
                "pub fn broken() -> u32 {\n    \"not a number\"\n}\n")));

        assertThat(outcome).isInstanceOfSatisfying(BuildOutcome.BuildFailed.class, failed ->
                assertThat(failed.diagnostics()).contains("lib.rs:2:5", "mismatched types"));
    }

    @Test
    void aCHandlerBuildsIntoAReactorModuleWithTheHandlerAbiAndNimbusAlloc() throws Exception {
        BuildFixture fixture = fixtureFor(Toolchains.C_WASM);

        Artifact artifact = fixture.built(fixture.function("c-wasm", "handle", Map.of("handler.c", C_HANDLER)));

        assertThat(artifact.mode()).isEqualTo(Artifact.Mode.WASM_ABI);
        assertThat(startOf(artifact.entryFile())).isEqualTo("\0asm");
        assertThat(WasmExports.of(artifact.entryFile())).contains("memory", "alloc", "handle", "_initialize")
                .doesNotContain("_start");
    }

    @Test
    void aCHandlerMayDefineItsOwnAlloc() throws Exception {
        BuildFixture fixture = fixtureFor(Toolchains.C_WASM);

        Artifact artifact = fixture.built(fixture.function("c-wasm", "handle", Map.of("handler.c", C_HANDLER
                + "\nstatic char arena[1 << 16];\nvoid *alloc(uint32_t size) { return size <= sizeof arena ? arena : 0; }\n")));

        assertThat(WasmExports.of(artifact.entryFile())).contains("alloc", "handle");
    }

    @Test
    void aCProgramWithMainBuildsIntoAWasiCommand() throws Exception {
        BuildFixture fixture = fixtureFor(Toolchains.C_WASM);

        Artifact artifact = fixture.built(fixture.function("c-wasm", "main", Map.of("main.c", """
                #include <stdio.h>

                int main(void) {
                    char event[4096];
                    size_t n = fread(event, 1, sizeof event, stdin);
                    printf("{\\"length\\":%zu}\\n", n);
                    return 0;
                }
                """)));

        assertThat(artifact.mode()).isEqualTo(Artifact.Mode.WASI);
        assertThat(WasmExports.of(artifact.entryFile())).contains("memory", "_start").doesNotContain("handle");
    }

    @Test
    void aBuildCannotReadTheHostsFiles() throws Exception {
        assertThat(Path.of("/etc/hostname")).as("the file the build tries to include exists on the host").isReadable();
        BuildFixture fixture = fixtureFor(Toolchains.C_WASM);

        BuildOutcome outcome = fixture.build(fixture.function("c-wasm", "main", Map.of("main.c",
                "#include \"/etc/hostname\"\nint main(void) { return 0; }\n")));

        assertThat(outcome).isInstanceOfSatisfying(BuildOutcome.BuildFailed.class, failed ->
                assertThat(failed.diagnostics()).contains("main.c:1:10: fatal error: '/etc/hostname' file not found"));
    }

    /** Includes itself twice at every level, 2^40 times in all: the preprocessor would run for ages. */
    @Test
    void aBuildPastItsTimeoutIsKilledWithEverythingItStarted() throws Exception {
        BuildFixture fixture = new BuildFixture(dataDir, BuildSettings.defaults().withTimeout(Duration.ofSeconds(2)));
        BuildFixture.requireToolchain(Toolchains.C_WASM);
        String file = "endless" + System.nanoTime() + ".c";

        BuildOutcome outcome = fixture.build(fixture.function("c-wasm", "main", Map.of(file, """
                #if __INCLUDE_LEVEL__ < 40
                #include __FILE__
                #include __FILE__
                #else
                int main(void) { return 0; }
                #endif
                """)));

        assertThat(outcome).isEqualTo(new BuildOutcome.TimedOut(Duration.ofSeconds(2)));
        assertThat(processesMentioning(file)).isZero();
        try (Stream<Path> staging = Files.list(dataDir.resolve("artifacts/c-wasm"))) {
            assertThat(staging).isEmpty();
        }
    }

    private BuildFixture fixtureFor(String runtime) throws IOException {
        BuildFixture.requireToolchain(runtime);
        return new BuildFixture(dataDir, BuildSettings.defaults());
    }

    private static String startOf(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return new String(bytes, 0, 4, StandardCharsets.ISO_8859_1);
    }

    private static long processesMentioning(String text) throws IOException {
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            return processes.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).contains(text);
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }
}
