package io.nimbus.api;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import io.nimbus.invoker.InvokeOutcome;
import io.nimbus.invoker.Invoker;
import io.nimbus.pool.ExecResult;

import java.util.Locale;
import java.util.Map;

/**
 * How a synchronous invocation is answered over HTTP, shared by the invoke endpoint and HTTP
 * routes so that both report throttling (429), timeouts (504) and failures (502) alike.
 */
final class InvokeAnswers {
    private static final HeaderName INVOCATION_ID = HeaderNames.create("X-Nimbus-Invocation-Id");
    private static final HeaderName COLD_START = HeaderNames.create("X-Nimbus-Cold-Start");
    private static final HeaderName DURATION = HeaderNames.create("X-Nimbus-Duration-Ms");
    private static final HeaderName INIT_DURATION = HeaderNames.create("X-Nimbus-Init-Duration-Ms");
    private static final HeaderName FUNCTION_VERSION = HeaderNames.create("X-Nimbus-Function-Version");

    private InvokeAnswers() {
    }

    /**
     * The function's output when it completed, with the invocation's headers set; otherwise
     * the error has been sent and the result is null.
     */
    static byte[] outputOrError(ServerResponse response, InvokeOutcome outcome) {
        if (outcome.throttled()) {
            response.header(HeaderNames.RETRY_AFTER, Long.toString(outcome.retryAfterSeconds()));
            Exchange.error(response, 429, "TooManyRequests",
                    outcome.throttleReason() + "; retry after " + outcome.retryAfterSeconds() + " s", null);
            return null;
        }
        response.header(INVOCATION_ID, outcome.invocationId());
        response.header(COLD_START, Boolean.toString(outcome.coldStart()));
        response.header(DURATION, String.format(Locale.ROOT, "%.3f", outcome.durationNanos() / 1e6));
        if (outcome.initNanos() > 0) {
            response.header(INIT_DURATION, String.format(Locale.ROOT, "%.3f", outcome.initNanos() / 1e6));
        }
        response.header(FUNCTION_VERSION, Integer.toString(outcome.function().version()));
        return switch (outcome.result()) {
            case ExecResult.Completed done -> done.output();
            case ExecResult.TimedOut timedOut -> failure(response, 504, timedOut);
            case ExecResult.HandlerFailed failed -> failure(response, 502, failed);
            case ExecResult.OutOfMemory outOfMemory -> failure(response, 502, outOfMemory);
            case ExecResult.ResponseTooLarge tooLarge -> failure(response, 502, tooLarge);
            case ExecResult.WorkerDied died -> failure(response, 502, died);
        };
    }

    private static byte[] failure(ServerResponse response, int status, ExecResult result) {
        Exchange.json(response, status, Map.of("error", Views.error(Invoker.errorOf(result))));
        return null;
    }
}
