package io.nimbus.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import io.nimbus.pool.ExecResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real compilers' output, not hand-written WAT: Rust through the handler ABI, C through WASI. */
class NativeModuleTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final WasmEngine ENGINE = new WasmEngine();

    @TempDir
    Path work;

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    @Test
    void aRustHandlerAnswersThroughTheHandlerAbi() throws Exception {
        WasmModule module = ENGINE.compile(NativeToolchains.rustHandler("greet_handler.rs", work),
                new WasmFunction("greet", Map.of(), 64));

        ExecResult result = module.invoke(bytes("{\"name\":\"Ada\"}"), TIMEOUT);

        assertThat(module.abi()).isEqualTo(WasmAbi.HANDLER);
        assertThat(result).isInstanceOfSatisfying(ExecResult.Completed.class, done ->
                assertThat(done.output()).asString()
                        .isEqualTo("{\"greeting\":\"Hello from Rust\",\"event\":{\"name\":\"Ada\"}}"));
    }

    @Test
    void aCProgramRunsAsAWasiCommandWithItsNameAndEnvironment() throws Exception {
        WasmModule module = ENGINE.compile(NativeToolchains.cCommand("echo_command.c", work),
                new WasmFunction("echo-c", Map.of("GREETING", "hi"), 64));

        ExecResult result = module.invoke(bytes("[1,2]"), TIMEOUT);

        assertThat(module.abi()).isEqualTo(WasmAbi.WASI_COMMAND);
        assertThat(result).isInstanceOfSatisfying(ExecResult.Completed.class, done -> {
            assertThat(done.output()).asString().isEqualTo("{\"event\":[1,2],\"name\":\"echo-c\",\"greeting\":\"hi\"}");
            assertThat(done.logs()).isEqualTo("read 5 bytes\n");
        });
    }

    @Test
    void aCProgramWhoseMallocTheCapRefusesIsOutOfMemory() throws Exception {
        WasmModule module = ENGINE.compile(NativeToolchains.cCommand("echo_command.c", work),
                new WasmFunction("echo-c", Map.of(), 64));

        ExecResult result = module.invoke(bytes("big"), TIMEOUT);

        assertThat(result).isEqualTo(new ExecResult.OutOfMemory(64, "read 3 bytes\nout of memory\n"));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
