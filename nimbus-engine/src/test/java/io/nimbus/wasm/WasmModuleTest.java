package io.nimbus.wasm;

import static io.nimbus.wasm.TestModules.function;
import static io.nimbus.wasm.TestModules.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nimbus.pool.ExecResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** What compiling a module accepts, how it reads the module's ABI, and what it refuses. */
class WasmModuleTest {
    private static final WasmEngine ENGINE = new WasmEngine();

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    @Test
    void aModuleExportingAllocAndHandleUsesTheHandlerAbi() throws InvalidWasmException {
        WasmModule module = ENGINE.compile(wasm("echo-handler.wat"), function("echo"));

        assertThat(module.abi()).isEqualTo(WasmAbi.HANDLER);
    }

    @Test
    void aModuleExportingStartIsAWasiCommand() throws InvalidWasmException {
        WasmModule module = ENGINE.compile(wasm("hello-wasi.wat"), function("hello"));

        assertThat(module.abi()).isEqualTo(WasmAbi.WASI_COMMAND);
    }

    @Test
    void bytesThatAreNotAModuleAreRefused() {
        assertThatThrownBy(() -> ENGINE.compile(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, function("junk")))
                .isInstanceOf(InvalidWasmException.class)
                .hasMessageStartingWith("not a valid WebAssembly module: ");
    }

    @Test
    void aModuleThatFailsValidationIsRefused() {
        // (func (result i32) i64.const 1), encoded by hand: wat2wasm would refuse to write it.
        byte[] mistyped = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
            0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,
            0x03, 0x02, 0x01, 0x00,
            0x0a, 0x06, 0x01, 0x04, 0x00, 0x42, 0x01, 0x0b};

        assertThatThrownBy(() -> ENGINE.compile(mistyped, function("mistyped")))
                .isInstanceOf(InvalidWasmException.class)
                .hasMessageContaining("type mismatch");
    }

    @Test
    void aModuleWithNeitherEntryPointIsRefusedNamingWhatIsMissing() {
        byte[] halfHandler = wat("""
                (module
                  (memory (export "memory") 1)
                  (func (export "alloc") (param i32) (result i32) i32.const 0))""");

        assertThatThrownBy(() -> ENGINE.compile(halfHandler, function("half")))
                .isInstanceOf(InvalidWasmException.class)
                .hasMessage("the module has no entry point: a handler exports memory, alloc and handle"
                        + " (missing: handle), a WASI command exports _start (missing)");
    }

    @Test
    void aHandlerWithoutExportedMemoryIsRefused() {
        byte[] noMemory = wat("""
                (module
                  (func (export "alloc") (param i32) (result i32) i32.const 0)
                  (func (export "handle") (param i32 i32) (result i64) i64.const 0))""");

        assertThatThrownBy(() -> ENGINE.compile(noMemory, function("no-memory")))
                .isInstanceOf(InvalidWasmException.class)
                .hasMessage("a handler module must export its memory as \"memory\"");
    }

    @Test
    void aHandleWithTheWrongSignatureIsRefusedWithTheExpectedOne() {
        byte[] wrongHandle = wat("""
                (module
                  (memory (export "memory") 1)
                  (func (export "alloc") (param i32) (result i32) i32.const 0)
                  (func (export "handle") (param i32 i32) (result i32) i32.const 0))""");

        assertThatThrownBy(() -> ENGINE.compile(wrongHandle, function("wrong")))
                .isInstanceOf(InvalidWasmException.class)
                .hasMessage("the module's handle is (i32, i32) -> i32; it must be (i32, i32) -> i64");
    }

    @Test
    void importsOtherThanWasiAreRefusedByName() {
        byte[] wantsHost = wat("""
                (module
                  (import "env" "host_log" (func (param i32)))
                  (func (export "_start")))""");

        assertThatThrownBy(() -> ENGINE.compile(wantsHost, function("host")))
                .isInstanceOf(InvalidWasmException.class)
                .hasMessageStartingWith("the module imports env.host_log, which Nimbus does not provide");
    }

    @Test
    void aWasiImportWithTheWrongTypeIsRefused() {
        byte[] mistypedWasi = wat("""
                (module
                  (import "wasi_snapshot_preview1" "proc_exit" (func (param i64)))
                  (func (export "_start")))""");

        assertThatThrownBy(() -> ENGINE.compile(mistypedWasi, function("mistyped-wasi")))
                .isInstanceOf(InvalidWasmException.class)
                .hasMessage("the module imports wasi_snapshot_preview1.proc_exit as (i64) -> (),"
                        + " but WASI defines it as (i32) -> ()");
    }

    @Test
    void aModuleWhoseInitialMemoryIsOverMemoryMbIsRefused() {
        byte[] big = wat("(module (memory (export \"memory\") 2000) (func (export \"_start\")))");

        assertThatThrownBy(() -> ENGINE.compile(big, new WasmFunction("big", Map.of(), 64)))
                .isInstanceOf(InvalidWasmException.class)
                .hasMessage("the module's initial memory is 2000 pages (125.0 MiB), more than the function's"
                        + " memory_mb (64) allows");
    }

    @Test
    void aModuleWhoseInitialMemoryFitsIsAccepted() throws InvalidWasmException {
        byte[] fits = wat("(module (memory (export \"memory\") 1024) (func (export \"_start\")))");

        assertThat(ENGINE.compile(fits, new WasmFunction("fits", Map.of(), 64)).abi()).isEqualTo(WasmAbi.WASI_COMMAND);
    }

    @Test
    void aModuleAnswersInterpretedUntilItsCompiledCodeIsReady() throws InvalidWasmException {
        List<Runnable> compilations = new ArrayList<>();
        try (WasmEngine engine = new WasmEngine(compilations::add)) {
            WasmModule module = engine.compile(wasm("echo-handler.wat"), function("echo"));
            byte[] event = "{}".getBytes(StandardCharsets.UTF_8);

            ExecResult interpreted = module.invoke(event, Duration.ofSeconds(30));
            boolean compiledBefore = module.isCompiled();
            compilations.forEach(Runnable::run);
            ExecResult compiled = module.invoke(event, Duration.ofSeconds(30));

            assertThat(compiledBefore).isFalse();
            assertThat(module.isCompiled()).isTrue();
            assertThat(List.of(interpreted, compiled)).allSatisfy(result ->
                    assertThat(result).isInstanceOfSatisfying(ExecResult.Completed.class, done ->
                            assertThat(done.output()).asString().isEqualTo("{}")));
        }
    }

    private static byte[] wat(String text) {
        try {
            return Wat.toWasm(text);
        } catch (InvalidWasmException e) {
            throw new IllegalStateException(e);
        }
    }
}
