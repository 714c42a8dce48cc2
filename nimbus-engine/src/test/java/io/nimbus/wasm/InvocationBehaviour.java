package io.nimbus.wasm;

import static io.nimbus.wasm.TestModules.function;
import static io.nimbus.wasm.TestModules.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import io.nimbus.domain.Limits;
import io.nimbus.pool.ExecResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What one invocation returns, for each ABI and each way a guest can fail. Every module runs
 * interpreted until its compiled code is ready, so every behaviour is pinned on both:
 * {@link CompiledInvocationTest} and {@link InterpretedInvocationTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class InvocationBehaviour {
    /** Generous: only the infinite loop is meant to reach its deadline. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final boolean compiled;
    private final WasmEngine engine;
    private WasmModule misbehaving;

    /** Compiled: each module is compiled before its first call. Otherwise it never is. */
    InvocationBehaviour(boolean compiled) {
        this.compiled = compiled;
        this.engine = new WasmEngine(compiled ? Runnable::run : compilation -> { });
    }

    @BeforeAll
    void compileTheMisbehavingModule() throws InvalidWasmException {
        misbehaving = compile(wasm("misbehaving-handler.wat"), function("misbehaving"));
    }

    @AfterAll
    void closeEngine() {
        engine.close();
    }

    @Test
    void modulesRunOnTheTierUnderTest() {
        assertThat(misbehaving.isCompiled()).isEqualTo(compiled);
    }

    @Test
    void aHandlerReturnsWhatItWroteInMemory() throws InvalidWasmException {
        WasmModule echo = compile(wasm("echo-handler.wat"), function("echo"));

        ExecResult result = echo.invoke(bytes("{\"name\":\"Ada\"}"), TIMEOUT);

        assertThat(completed(result).output()).asString().isEqualTo("{\"name\":\"Ada\"}");
    }

    @Test
    void aHandlerCanTransformTheEventJson() throws InvalidWasmException {
        WasmModule wrap = compile(wasm("wrap-json-handler.wat"), function("wrap"));

        ExecResult result = wrap.invoke(bytes("{\"name\":\"Ada\"}"), TIMEOUT);

        assertThat(completed(result).output()).asString().isEqualTo("{\"event\":{\"name\":\"Ada\"},\"bytes\":14}");
    }

    @Test
    void concurrentInvocationsOfOneModuleEachGetTheirOwnAnswer() throws Exception {
        WasmModule wrap = compile(wasm("wrap-json-handler.wat"), function("wrap"));
        List<Callable<String>> callers = new ArrayList<>();
        for (int caller = 0; caller < 8; caller++) {
            String event = "{\"caller\":" + caller + "}";
            callers.add(() -> {
                for (int call = 0; call < 50; call++) {
                    byte[] output = completed(wrap.invoke(bytes(event), TIMEOUT)).output();
                    String expected = "{\"event\":" + event + ",\"bytes\":" + event.length() + "}";
                    if (!new String(output, StandardCharsets.UTF_8).equals(expected)) {
                        return new String(output, StandardCharsets.UTF_8);
                    }
                }
                return "ok";
            });
        }

        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<String> answer : pool.invokeAll(callers)) {
                assertThat(answer.get()).isEqualTo("ok");
            }
        }
    }

    @Test
    void whatAHandlerPrintsOnStdoutAndStderrIsItsLogs() throws InvalidWasmException {
        WasmModule echo = compile(wasm("echo-handler.wat"), function("echo"));

        ExecResult result = echo.invoke(bytes("{}"), TIMEOUT);

        assertThat(completed(result).logs()).isEqualTo("handling\non stderr\n");
    }

    @Test
    void aReactorHandlersInitializeRunsBeforeItsHandler() throws InvalidWasmException {
        WasmModule reactor = compile(Wat.toWasm("""
                (module
                  (memory (export "memory") 1)
                  (global $ready (mut i32) (i32.const 0))
                  (func (export "_initialize") (global.set $ready (i32.const 1)))
                  (func (export "alloc") (param i32) (result i32) i32.const 1024)
                  (func (export "handle") (param i32 i32) (result i64)
                    (if (i32.eqz (global.get $ready)) (then unreachable))
                    (i64.or (i64.shl (i64.const 1024) (i64.const 32)) (i64.extend_i32_u (local.get 1)))))"""),
                function("reactor"));

        ExecResult result = reactor.invoke(bytes("ready"), TIMEOUT);

        assertThat(completed(result).output()).asString().isEqualTo("ready");
    }

    @Test
    void aWasiCommandReadsTheEventOnStdinAnswersOnStdoutAndLogsOnStderr() throws InvalidWasmException {
        WasmModule hello = compile(wasm("hello-wasi.wat"), function("hello"));

        ExecResult.Completed result = completed(hello.invoke(bytes("Ada"), TIMEOUT));

        assertThat(result.output()).asString().isEqualTo("Hello, Ada!");
        assertThat(result.logs()).isEqualTo("greeting someone\n");
    }

    @Test
    void aWasiCommandsOnlyArgumentIsTheFunctionNameAndItsEnvironmentIsTheFunctionsEnvVars()
            throws InvalidWasmException {
        WasmModule argsEnv = compile(wasm("args-env-wasi.wat"),
                new WasmFunction("greeter", Map.of("GREETING", "hi"), TestModules.MEMORY_MB));

        ExecResult result = argsEnv.invoke(new byte[0], TIMEOUT);

        assertThat(completed(result).output()).asString().isEqualTo("greeter\0GREETING=hi\0");
    }

    @Test
    void aNonZeroExitIsAFunctionErrorCarryingTheStatusAndStderr() throws InvalidWasmException {
        WasmModule exits = compile(wasm("exit-wasi.wat"), function("exits"));

        ExecResult result = exits.invoke(new byte[0], TIMEOUT);

        assertThat(result).isEqualTo(new ExecResult.HandlerFailed("ExitCode", "the program exited with status 3",
                null, "something went wrong\n"));
    }

    @Test
    void wasiHasNoFileSystemToOpen() throws InvalidWasmException {
        WasmModule prober = compile(wasm("no-filesystem-wasi.wat"), function("prober"));

        ExecResult result = prober.invoke(new byte[0], TIMEOUT);

        // EBADF (8) from both: there is no preopened directory, so no descriptor to open a path under.
        assertThat(completed(result).output()).asString().isEqualTo("8,8");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "u, Trapped on unreachable instruction",
        "d, integer divide by zero",
        "o, out of bounds memory access",
        "s, call stack exhausted"})
    void aTrapIsAFunctionErrorWithTheTrapsMessage(String misdeed, String message) {
        ExecResult result = misbehaving.invoke(bytes(misdeed), TIMEOUT);

        assertThat(result).isInstanceOfSatisfying(ExecResult.HandlerFailed.class, failed -> {
            assertThat(failed.type()).isEqualTo("Trap");
            assertThat(failed.message()).containsIgnoringCase(message);
        });
    }

    @Test
    void anInfiniteLoopTimesOutWithItsLogsFreesItsThreadAndTheNextInvocationWorks() {
        ExecResult looped = misbehaving.invoke(bytes("l"), Duration.ofMillis(200));

        assertThat(looped).isEqualTo(new ExecResult.TimedOut(200, "looping\n"));
        assertThat(engine.running()).isZero();
        assertThat(completed(misbehaving.invoke(bytes("again"), TIMEOUT)).output()).asString().isEqualTo("again");
    }

    @Test
    void growingMemoryBeyondMemoryMbIsOutOfMemory() {
        ExecResult result = misbehaving.invoke(bytes("g"), TIMEOUT);

        assertThat(result).isEqualTo(new ExecResult.OutOfMemory(TestModules.MEMORY_MB, ""));
    }

    @Test
    void aRefusedGrowthThatTheGuestHandlesIsNoFailure() {
        ExecResult result = misbehaving.invoke(bytes("h"), TIMEOUT);

        assertThat(completed(result).output()).asString().isEqualTo("refused");
    }

    @Test
    void theSameGrowthWithinALargerMemoryMbSucceeds() throws InvalidWasmException {
        WasmModule roomy = compile(wasm("misbehaving-handler.wat"), new WasmFunction("roomy", Map.of(), 128));

        ExecResult result = roomy.invoke(bytes("g"), TIMEOUT);

        assertThat(completed(result).output()).asString().isEqualTo("g");
    }

    @Test
    void aHandlerOutputOverTheResponseLimitIsTooLarge() {
        ExecResult result = misbehaving.invoke(bytes("b"), TIMEOUT);

        assertThat(result).isEqualTo(new ExecResult.ResponseTooLarge(7 * 1024 * 1024, ""));
    }

    @Test
    void aWasiCommandWritingOverTheResponseLimitIsTooLarge() throws InvalidWasmException {
        WasmModule flood = compile(wasm("flood-wasi.wat"), function("flood"));

        ExecResult result = flood.invoke(new byte[0], TIMEOUT);

        assertThat(result).isEqualTo(new ExecResult.ResponseTooLarge(100 * 65536, ""));
    }

    @Test
    void anOutputOutsideTheModulesMemoryIsAFunctionError() {
        ExecResult result = misbehaving.invoke(bytes("p"), TIMEOUT);

        assertThat(result).isInstanceOfSatisfying(ExecResult.HandlerFailed.class, failed ->
                assertThat(failed.type()).isEqualTo("InvalidOutput"));
    }

    @Test
    void logsAreCappedWithTheTruncationMarker() {
        ExecResult result = misbehaving.invoke(bytes("x"), TIMEOUT);

        String logs = completed(result).logs();
        assertThat(logs).endsWith(Limits.LOG_TRUNCATION_MARKER);
        assertThat(logs.length()).isEqualTo(Limits.MAX_LOG_BYTES + Limits.LOG_TRUNCATION_MARKER.length());
    }

    @Test
    void eachInvocationStartsFromAFreshInstance() throws InvalidWasmException {
        WasmModule counter = compile(Wat.toWasm("""
                (module
                  (memory (export "memory") 1)
                  (global $calls (mut i32) (i32.const 0))
                  (func (export "alloc") (param i32) (result i32) i32.const 1024)
                  (func (export "handle") (param i32 i32) (result i64)
                    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
                    (i32.store8 (i32.const 0) (i32.add (i32.const 48) (global.get $calls)))
                    (i64.const 1)))"""), function("counter"));

        counter.invoke(new byte[0], TIMEOUT);
        ExecResult second = counter.invoke(new byte[0], TIMEOUT);

        assertThat(completed(second).output()).asString().isEqualTo("1");
    }

    private WasmModule compile(byte[] wasm, WasmFunction function) throws InvalidWasmException {
        return engine.compile(wasm, function);
    }

    private static ExecResult.Completed completed(ExecResult result) {
        assertThat(result).isInstanceOf(ExecResult.Completed.class);
        return (ExecResult.Completed) result;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
