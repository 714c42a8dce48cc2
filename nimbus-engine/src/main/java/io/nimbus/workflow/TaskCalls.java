package io.nimbus.workflow;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.InvocationError;
import io.nimbus.domain.TriggerType;
import io.nimbus.functions.FunctionService;
import io.nimbus.invoker.InvokeOutcome;
import io.nimbus.invoker.Invoker;
import io.nimbus.pool.ExecResult;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A task step's call of its function: a synchronous invocation, recorded with trigger type
 * {@code workflow}. A busy function makes the task wait its turn, as the async queue does:
 * being throttled is not a failure of the step.
 */
final class TaskCalls {
    private final FunctionService functions;
    private final Invoker invoker;

    /**
     * @param invocationId null when the function could not be called at all
     * @param output       the function's result (JSON text) when {@code error} is null
     */
    record Outcome(String invocationId, String output, InvocationError error) {
    }

    TaskCalls(FunctionService functions, Invoker invoker) {
        this.functions = functions;
        this.invoker = invoker;
    }

    Outcome call(String functionRef, String input) throws InterruptedException {
        Function function = functions.find(functionRef).orElse(null);
        if (function == null) {
            return new Outcome(null, null, new InvocationError("FunctionNotFound", null,
                    "function '" + functionRef + "' was deleted", null));
        }
        byte[] event = input.getBytes(StandardCharsets.UTF_8);
        while (true) {
            InvokeOutcome outcome;
            try {
                outcome = invoker.invoke(function, event, TriggerType.WORKFLOW);
            } catch (DomainException e) {
                // the function cannot run here at all (its runtime or sandbox is unavailable)
                return new Outcome(null, null, new InvocationError(e.code(), null, e.getMessage(), null));
            }
            if (!outcome.throttled()) {
                String output = outcome.result() instanceof ExecResult.Completed done
                        ? new String(done.output(), StandardCharsets.UTF_8) : null;
                return new Outcome(outcome.invocationId(), output, Invoker.errorOf(outcome.result()));
            }
            Thread.sleep(Duration.ofSeconds(Math.max(1, outcome.retryAfterSeconds())));
        }
    }
}
