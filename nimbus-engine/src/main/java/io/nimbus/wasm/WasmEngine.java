package io.nimbus.wasm;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs WebAssembly functions inside the Nimbus process, on Chicory. One per server: it owns the
 * platform threads every module's invocations run on, and the one background thread that
 * compiles modules to JVM bytecode (one, so that deployments never take more than a core from
 * invocations). Closing it interrupts the guests still running.
 */
public final class WasmEngine implements AutoCloseable {
    private final GuestThreads threads = new GuestThreads();
    private final Executor compiler;

    public WasmEngine() {
        this(new ThreadPoolExecutor(0, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                BackgroundPriority.threads("nimbus-wasm-compiler")));
    }

    /** Compiles modules on {@code compiler}: a test's seam to keep them interpreted, or compile them at once. */
    WasmEngine(Executor compiler) {
        this.compiler = compiler;
    }

    /**
     * Parses, validates and checks a module for one function version, and starts compiling it;
     * it is usable at once (interpreted until compiled). Refused, with a message for the user,
     * when the bytes are not a valid module, when it imports anything but WASI preview 1
     * functions, when it exports neither ABI's entry points, or when its initial memory is over
     * {@code function.memoryMb()}.
     */
    public WasmModule compile(byte[] wasm, WasmFunction function) throws InvalidWasmException {
        return WasmModule.compile(Objects.requireNonNull(wasm, "wasm"), function, threads, compiler);
    }

    /** Invocations executing now, for health reporting. */
    public int running() {
        return threads.running();
    }

    @Override
    public void close() {
        threads.close();
        if (compiler instanceof ExecutorService own) {
            own.shutdownNow();
        }
    }
}
