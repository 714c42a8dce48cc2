package io.nimbus.wasm;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import io.nimbus.pool.ExecResult;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * One function version's module, parsed and checked once, and compiled to JVM bytecode once in
 * the background (interpreted until then); each {@link #invoke} runs it in a fresh instance.
 * Made by {@link WasmEngine#compile}. Thread-safe: invocations share nothing but the code.
 */
public final class WasmModule {
    private final Guest guest;
    private final GuestThreads threads;

    private WasmModule(Guest guest, GuestThreads threads) {
        this.guest = guest;
        this.threads = threads;
    }

    static WasmModule compile(byte[] wasm, WasmFunction function, GuestThreads threads, Executor compiler)
            throws InvalidWasmException {
        com.dylibso.chicory.wasm.WasmModule module = parse(wasm);
        ModuleRules.checkImports(module);
        WasmAbi abi = ModuleRules.abi(module);
        boolean initialize = abi == WasmAbi.HANDLER && ModuleRules.needsInitialize(module);
        Optional<MemoryLimits> memory = ModuleRules.cappedMemory(module, function.memoryMb());
        GuestCode code = GuestCode.compileInBackground(module, compiler);
        return new WasmModule(new Guest(module, code, abi, initialize, memory, function), threads);
    }

    /** How Nimbus calls this module, as detected from its exports. */
    public WasmAbi abi() {
        return guest.abi();
    }

    /** Whether invocations run compiled code yet, rather than the interpreter. */
    public boolean isCompiled() {
        return guest.code().isCompiled();
    }

    /**
     * Waits for the background compiler to finish with this module, at most {@code timeout}:
     * whether it has (compiled, or left interpreted by a failure the log reports).
     */
    public boolean awaitCompiler(Duration timeout) throws InterruptedException {
        return guest.code().awaitCompiler(timeout);
    }

    /**
     * Runs the module once on {@code event} and waits for the outcome, at most {@code timeout}
     * (instantiation included). Never throws for anything the guest does: traps, exits, runaway
     * memory or loops are {@link ExecResult} values.
     */
    public ExecResult invoke(byte[] event, Duration timeout) {
        return threads.run(new GuestRun(guest, event), timeout);
    }

    private static com.dylibso.chicory.wasm.WasmModule parse(byte[] wasm) throws InvalidWasmException {
        try {
            return Parser.parse(wasm);
        } catch (RuntimeException e) {
            throw new InvalidWasmException("not a valid WebAssembly module: "
                    + Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()));
        }
    }
}
