package io.nimbus.wasm;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The code a module's instances run: Chicory's interpreter until its compiled code is ready,
 * then that. Compiling even a tiny module to JVM bytecode costs milliseconds (classes to
 * generate, load and verify), over the cold-start budget, while interpreting the first calls
 * costs nothing up front; fib(30) shows the price of staying interpreted (about 200 times
 * slower), so the compiler always runs, in the background. Decision 0011 has the numbers.
 */
final class GuestCode {
    private static final Logger LOG = LoggerFactory.getLogger(GuestCode.class);

    private volatile Function<Instance, Machine> compiled;
    /** Counted down when the compiler has finished with the module, compiled or not. */
    private final CountDownLatch attempted = new CountDownLatch(1);

    private GuestCode() {
    }

    /** Starts compiling {@code module} on {@code compiler}; interprets until that is done. */
    static GuestCode compileInBackground(WasmModule module, Executor compiler) {
        GuestCode code = new GuestCode();
        compiler.execute(() -> code.compile(module));
        return code;
    }

    /** The machine factory for a new instance: compiled when ready, interpreted until then. */
    Function<Instance, Machine> machines() {
        Function<Instance, Machine> ready = compiled;
        return ready != null ? ready : InterpreterMachine::new;
    }

    boolean isCompiled() {
        return compiled != null;
    }

    /** Waits until the compiler is done with the module, at most {@code timeout}; whether it is. */
    boolean awaitCompiler(Duration timeout) throws InterruptedException {
        return attempted.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * A function too large for one JVM method is interpreted inside the compiled code, silently:
     * a speed difference, not an error. A module the compiler fails on stays interpreted, which
     * is slower but correct, so the failure is only logged.
     */
    private void compile(WasmModule module) {
        try {
            compiled = MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.SILENT)
                    .compile();
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            LOG.warn("a WebAssembly module could not be compiled; it stays interpreted", e);
        } finally {
            attempted.countDown();
        }
    }
}
