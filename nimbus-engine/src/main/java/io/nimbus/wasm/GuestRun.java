package io.nimbus.wasm;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import io.nimbus.pool.ExecResult;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One invocation: a fresh instance (its own memory, globals and WASI state, so nothing of one
 * invocation is seen by the next), called through the module's ABI on an engine thread.
 * The WASI it sees has stdio, arguments, environment, clock and randomness, and no
 * preopened directory and no socket: no file system and no network.
 */
final class GuestRun implements Callable<ExecResult> {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Guest guest;
    private final byte[] event;
    private final GuestLogs logs = new GuestLogs();
    private final ResultStream stdout = new ResultStream();
    private CappedMemory memory;

    GuestRun(Guest guest, byte[] event) {
        this.guest = guest;
        this.event = event;
    }

    @Override
    public ExecResult call() {
        ExecResult result;
        try (WasiPreview1 wasi = WasiPreview1.builder().withLogger(WasiLog.INSTANCE).withOptions(wasi()).build()) {
            Instance instance = instantiate(wasi);
            result = switch (guest.abi()) {
                case HANDLER -> HandlerAbi.call(instance, guest.initialize(), event, logs);
                case WASI_COMMAND -> CommandAbi.call(instance, stdout, logs);
            };
        } catch (Throwable failure) {
            result = GuestFailure.of(failure, guest.function().memoryMb(), logs.text());
        }
        return outOfMemoryIfRefusedGrowth(result);
    }

    /** The outcome when the engine stopped this run at its deadline. */
    ExecResult timedOut(Duration timeout) {
        return new ExecResult.TimedOut(timeout.toMillis(), logs.text());
    }

    private Instance instantiate(WasiPreview1 wasi) {
        Instance.Builder builder = Instance.builder(guest.module())
                .withMachineFactory(guest.code().machines())
                .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
                .withStart(false);
        guest.memory().ifPresent(limits -> builder.withMemoryLimits(limits).withMemoryFactory(capped -> {
            memory = new CappedMemory(new ByteArrayMemory(capped), ModuleRules.capPages(guest.function().memoryMb()));
            return memory;
        }));
        return builder.build();
    }

    private WasiOptions wasi() {
        boolean command = guest.abi() == WasmAbi.WASI_COMMAND;
        WasiOptions.Builder options = WasiOptions.builder()
                .withStdin(command ? new ByteArrayInputStream(event) : InputStream.nullInputStream(), false)
                .withStdout(command ? stdout : logs, false)
                .withStderr(logs, false)
                .withArguments(List.of(guest.function().name()))
                .withClock(Clock.systemUTC())
                .withRandom(RANDOM);
        guest.function().env().forEach(options::withEnvironment);
        return options.build();
    }

    /** A guest that failed after the cap refused it memory failed for want of memory. */
    private ExecResult outOfMemoryIfRefusedGrowth(ExecResult result) {
        boolean failed = result instanceof ExecResult.HandlerFailed;
        if (failed && memory != null && memory.growthRefused()) {
            return new ExecResult.OutOfMemory(guest.function().memoryMb(), result.logs());
        }
        return result;
    }
}
