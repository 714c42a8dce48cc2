package io.nimbus.invoker;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.Ids;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.InvocationError;
import io.nimbus.domain.InvocationStatus;
import io.nimbus.domain.Limits;
import io.nimbus.domain.TriggerType;
import io.nimbus.functions.FunctionService;
import io.nimbus.metrics.NimbusMetrics;
import io.nimbus.pool.Acquisition;
import io.nimbus.pool.ExecResult;
import io.nimbus.pool.InstancePools;
import io.nimbus.build.Artifact;
import io.nimbus.functions.WasmModules;
import io.nimbus.protocol.JsonPayload;
import io.nimbus.runtime.PlainProgram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Semaphore;

/**
 * Runs invocations: resolves the function, takes an instance from its version's pool, runs
 * the event on it under the function's timeout, hands the instance back and records the
 * outcome. WebAssembly runs in this process instead of on an instance, and a Go program with
 * its own main once per invocation; a version still building is waited for first.
 */
public final class Invoker {
    /** A version replaced while a call was resolving it is resolved again, a few times at most. */
    private static final int RESOLVE_ATTEMPTS = 5;

    private final FunctionService functions;
    private final InstancePools pools;
    private final Targets targets;
    private final PlainProgram plainPrograms;
    private final InvocationRecorder recorder;
    private final NimbusMetrics metrics;
    private final Clock clock;

    public Invoker(FunctionService functions, InstancePools pools, PlainProgram plainPrograms, InvocationRecorder recorder,
                   NimbusMetrics metrics, Clock clock) {
        this.functions = functions;
        this.pools = pools;
        this.targets = new Targets(functions);
        this.plainPrograms = plainPrograms;
        this.recorder = recorder;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** A synchronous invocation of the function's latest version; its record is written in the background. */
    public InvokeOutcome invoke(Function function, byte[] event, TriggerType trigger) throws InterruptedException {
        return invoke(Resolution.latest(function), event, trigger);
    }

    /** A synchronous invocation of the resolved version; its record is written in the background. */
    public InvokeOutcome invoke(Resolution target, byte[] event, TriggerType trigger) throws InterruptedException {
        String invocationId = Ids.timeOrdered();
        Instant createdAt = now();
        Function function = target.function();
        InvokeOutcome outcome = run(function.id(), function, invocationId, event, false, target.pinned());
        measure(outcome);
        if (!outcome.throttled()) {
            recorder.record(finalRecord(invocationId, outcome, trigger, null, createdAt, createdAt));
        }
        return outcome;
    }

    /**
     * Runs an invocation claimed from the async queue and returns its final record. A busy
     * function makes it wait its turn rather than fail.
     */
    public Invocation runQueued(Invocation claimed) throws InterruptedException {
        Function function = functions.find(claimed.functionId()).orElse(null);
        if (function == null) {
            return failedBeforeRunning(claimed, new InvocationError("FunctionNotFound", null,
                    "the function was deleted before the invocation ran", null));
        }
        byte[] event = claimed.input().getBytes(StandardCharsets.UTF_8);
        InvokeOutcome outcome;
        try {
            outcome = run(claimed.functionId(), function, claimed.id(), event, true, false);
        } catch (DomainException e) {
            // the function cannot run here at all (its runtime or sandbox is unavailable):
            // retrying would not change that
            return failedBeforeRunning(claimed, new InvocationError(e.code(), null, e.getMessage(), null));
        }
        measure(outcome);
        Instant startedAt = claimed.startedAt() == null ? now() : claimed.startedAt();
        return finalRecord(claimed.id(), outcome, claimed.triggerType(), claimed.input(), claimed.createdAt(), startedAt);
    }

    /** @param pinned the caller named this version: it runs, unless the function is deleted meanwhile */
    private InvokeOutcome run(String ref, Function resolved, String invocationId, byte[] event, boolean waitWhenBusy,
                              boolean pinned) throws InterruptedException {
        Function function = resolved;
        for (int attempt = 0; attempt < RESOLVE_ATTEMPTS; attempt++) {
            long started = System.nanoTime();
            switch (targets.of(function)) {
                case Target.Pooled ignored -> { }
                case Target.InProcess wasm -> {
                    return inProcess(invocationId, function, wasm.module(), event, waitWhenBusy);
                }
                case Target.Plain plain -> {
                    return new InvokeOutcome(invocationId, function, plain(function, plain.artifact(), event), true,
                            System.nanoTime() - started, 0, 0, null);
                }
                case Target.Settled settled -> {
                    return new InvokeOutcome(invocationId, function, settled.result(), false,
                            System.nanoTime() - started, 0, 0, null);
                }
            }
            Acquisition acquisition = pools.acquire(function, pinned);
            switch (acquisition) {
                case Acquisition.Acquired acquired -> {
                    ExecResult result = acquired.pool().exec(acquired.instance(), invocationId, event,
                            function.timeoutSec() * 1000L);
                    acquired.pool().release(acquired.instance(), result);
                    return new InvokeOutcome(invocationId, function, result, acquired.coldStart(),
                            System.nanoTime() - started, acquired.coldStart() ? acquired.instance().startNanos() : 0,
                            0, null);
                }
                case Acquisition.StartFailed failed -> {
                    return new InvokeOutcome(invocationId, function, failed.reason(), true, System.nanoTime() - started, 0,
                            0, null);
                }
                case Acquisition.Throttled throttled -> {
                    if (!waitWhenBusy) {
                        return InvokeOutcome.throttled(invocationId, function, throttled.retryAfterSeconds(),
                                throttled.reason());
                    }
                    // queued work waits its turn, as a client told to retry after would
                    Thread.sleep(Duration.ofSeconds(throttled.retryAfterSeconds()));
                    attempt--;
                }
                case Acquisition.Retired retired -> {
                    if (pinned) {
                        throw DomainException.notFound("function", ref);
                    }
                    function = functions.reload(ref).orElseThrow(() -> DomainException.notFound("function", ref));
                }
            }
        }
        return new InvokeOutcome(invocationId, function,
                new ExecResult.WorkerDied("the function changed repeatedly while the invocation started", ""),
                false, 0, 0, 0, null);
    }

    /**
     * A WebAssembly invocation: capped at max_instances at once like a pool, and counted in
     * the memory budget for its memory_mb (its linear memory lives on this JVM's heap), evicting idle
     * instances when the budget is full, as a new instance would.
     */
    private InvokeOutcome inProcess(String invocationId, Function function, WasmModules.Found found, byte[] event,
                                    boolean waitWhenBusy) throws InterruptedException {
        long started = System.nanoTime();
        Semaphore slots = found.loaded().slots();
        if (waitWhenBusy) {
            slots.acquire();
        } else if (!slots.tryAcquire()) {
            return InvokeOutcome.throttled(invocationId, function, 1,
                    "function '" + function.name() + "' is at its max_instances (" + function.maxInstances() + ")");
        }
        try {
            if (!pools.reserve(function.memoryMb(), null)) {
                return InvokeOutcome.throttled(invocationId, function, 1, "the server's memory budget is full");
            }
            try {
                ExecResult result = requireJson(found.loaded().module().invoke(event,
                        Duration.ofSeconds(function.timeoutSec())));
                return new InvokeOutcome(invocationId, function, result, found.firstInvocation(),
                        System.nanoTime() - started, 0, 0, null);
            } finally {
                pools.release(function.memoryMb());
            }
        } finally {
            slots.release();
        }
    }

    /** What every runtime promises: a result is one JSON value, within the response limit. */
    private static ExecResult requireJson(ExecResult result) {
        if (!(result instanceof ExecResult.Completed done)) {
            return result;
        }
        if (done.output().length > Limits.MAX_PAYLOAD_BYTES) {
            return new ExecResult.ResponseTooLarge(done.output().length, done.logs());
        }
        if (!JsonPayload.isSingleValue(done.output())) {
            return new ExecResult.HandlerFailed("InvalidOutput", "the function's result is not valid UTF-8 JSON", null,
                    done.logs());
        }
        return result;
    }

    private ExecResult plain(Function function, Artifact artifact, byte[] event) {
        try {
            return switch (plainPrograms.invoke(artifact, event, function.envVars(), pools.sandboxes().limitsFor(function),
                    Duration.ofSeconds(function.timeoutSec()))) {
                case PlainProgram.Outcome.Success success -> new ExecResult.Completed(success.result(), success.logs());
                case PlainProgram.Outcome.TimedOut timedOut ->
                        new ExecResult.TimedOut(function.timeoutSec() * 1000L, timedOut.logs());
                case PlainProgram.Outcome.Failed failed -> switch (failed.errorType()) {
                    case "OutOfMemory" -> new ExecResult.OutOfMemory(function.memoryMb(), failed.logs());
                    case "ResponseTooLarge" -> new ExecResult.ResponseTooLarge(PlainProgram.MAX_RESULT_BYTES, failed.logs());
                    case "InvalidResult" -> new ExecResult.HandlerFailed("InvalidOutput", failed.message(), null,
                            failed.logs());
                    default -> new ExecResult.HandlerFailed(failed.errorType(), failed.message(), null, failed.logs());
                };
            };
        } catch (IOException e) {
            return new ExecResult.WorkerDied("could not start the program: " + e.getMessage(), "");
        }
    }

    private void measure(InvokeOutcome outcome) {
        Function function = outcome.function();
        if (outcome.throttled()) {
            metrics.throttled(function.id(), function.version(), function.runtime());
            return;
        }
        InvocationError error = errorOf(outcome.result());
        metrics.invocation(function.id(), function.version(), function.runtime(), statusOf(outcome.result()).wireName(),
                outcome.durationNanos() / 1e6, outcome.coldStart(), error == null ? null : error.code());
    }

    private Invocation finalRecord(String id, InvokeOutcome outcome, TriggerType trigger, String input,
                                   Instant createdAt, Instant startedAt) {
        ExecResult result = outcome.result();
        Function function = outcome.function();
        String output = result instanceof ExecResult.Completed done ? new String(done.output(), StandardCharsets.UTF_8) : null;
        return new Invocation(id, function.id(), function.name(), function.version(), trigger, statusOf(result),
                input, output, errorOf(result), result.logs(), outcome.coldStart(), null,
                Math.round(outcome.durationNanos() / 1_000_000.0), createdAt, startedAt, now());
    }

    private Invocation failedBeforeRunning(Invocation claimed, InvocationError error) {
        Instant now = now();
        return new Invocation(claimed.id(), claimed.functionId(), claimed.functionName(), claimed.functionVersion(),
                claimed.triggerType(), InvocationStatus.FAILED, claimed.input(), null, error, "", false, null, 0,
                claimed.createdAt(), claimed.startedAt() == null ? now : claimed.startedAt(), now);
    }

    static InvocationStatus statusOf(ExecResult result) {
        return switch (result) {
            case ExecResult.Completed c -> InvocationStatus.SUCCESS;
            case ExecResult.TimedOut t -> InvocationStatus.TIMEOUT;
            case ExecResult.HandlerFailed f -> InvocationStatus.FAILED;
            case ExecResult.OutOfMemory m -> InvocationStatus.FAILED;
            case ExecResult.ResponseTooLarge r -> InvocationStatus.FAILED;
            case ExecResult.WorkerDied d -> InvocationStatus.FAILED;
        };
    }

    /** The error of a result, in the shape every client sees. */
    public static InvocationError errorOf(ExecResult result) {
        return switch (result) {
            case ExecResult.Completed c -> null;
            case ExecResult.HandlerFailed f -> new InvocationError("FunctionError", f.type(), f.message(), f.stackTrace());
            case ExecResult.TimedOut t -> new InvocationError("Timeout", null,
                    "the function did not finish within " + t.timeoutMs() + " ms", null);
            case ExecResult.ResponseTooLarge r -> new InvocationError("ResponseTooLarge", null,
                    "the function's result is over the " + Limits.MAX_PAYLOAD_BYTES + "-byte response limit", null);
            case ExecResult.OutOfMemory m -> new InvocationError("OutOfMemory", null,
                    "the function used more than its memory limit of " + m.memoryMb() + " MB", null);
            case ExecResult.WorkerDied d -> new InvocationError("RuntimeExit", null, d.message(), null);
        };
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
