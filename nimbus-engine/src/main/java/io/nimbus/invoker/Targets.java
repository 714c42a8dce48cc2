package io.nimbus.invoker;

import io.nimbus.build.Artifact;
import io.nimbus.build.BuildOutcome;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.FunctionStatus;
import io.nimbus.functions.BuildLogs;
import io.nimbus.functions.FunctionService;
import io.nimbus.pool.ExecResult;
import io.nimbus.runtime.RuntimeEntry;
import io.nimbus.wasm.InvalidWasmException;
import io.nimbus.wasm.WasmSource;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Decides where an invocation runs. A version still building is waited for, within the
 * function's timeout; a failed build is refused with its diagnostics (409 BuildFailed).
 */
final class Targets {
    /** The diagnostics an error message carries; the whole log is at /build. */
    private static final int MAX_DIAGNOSTICS = 4_000;

    private final FunctionService functions;

    Targets(FunctionService functions) {
        this.functions = functions;
    }

    Target of(Function function) throws InterruptedException {
        RuntimeEntry runtime = functions.runtimes().find(function.runtime())
                .orElseThrow(() -> DomainException.invalid("runtime", "unknown runtime " + function.runtime()));
        return switch (runtime.kind()) {
            case INTERPRETED -> new Target.Pooled();
            case WASM -> inProcess(function, () -> WasmSource.moduleOf(functions.code(function).files()));
            case COMPILED -> built(function);
        };
    }

    private Target built(Function function) throws InterruptedException {
        if (function.status() == FunctionStatus.FAILED) {
            throw buildFailed(function, function.buildLog());
        }
        BuildOutcome outcome;
        try {
            outcome = functions.build(function).get(function.timeoutSec(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return new Target.Settled(new ExecResult.TimedOut(function.timeoutSec() * 1000L,
                    "the function's build was still running when the invocation's timeout ran out"));
        } catch (ExecutionException e) {
            throw new IllegalStateException("a build never fails exceptionally", e);
        }
        if (!(outcome instanceof BuildOutcome.Built built)) {
            throw buildFailed(function, BuildLogs.of(outcome));
        }
        Artifact artifact = built.artifact();
        return switch (artifact.mode()) {
            case WORKER, JAVA -> new Target.Pooled();
            case PLAIN -> new Target.Plain(artifact);
            case WASM_ABI, WASI -> inProcess(function, () -> read(artifact));
        };
    }

    private Target inProcess(Function function, io.nimbus.functions.WasmModules.ModuleBytes bytes) {
        try {
            return new Target.InProcess(functions.wasmModules().find(function, bytes));
        } catch (InvalidWasmException e) {
            return new Target.Settled(new ExecResult.HandlerFailed("InvalidModule", e.getMessage(), null, ""));
        }
    }

    private static byte[] read(Artifact artifact) throws InvalidWasmException {
        try {
            return Files.readAllBytes(artifact.entryFile());
        } catch (IOException e) {
            throw new InvalidWasmException("the built module could not be read: " + e.getMessage());
        }
    }

    private static DomainException buildFailed(Function function, String log) {
        String diagnostics = log == null ? "" : log.length() > MAX_DIAGNOSTICS ? log.substring(0, MAX_DIAGNOSTICS) + "\n…" : log;
        return new DomainException(DomainException.Kind.CONFLICT, "BuildFailed", "version " + function.version()
                + " of function '" + function.name() + "' did not build:\n" + diagnostics, null);
    }
}
