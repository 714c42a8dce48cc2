package io.nimbus.sdk.internal;

import io.nimbus.sdk.Context;
import io.nimbus.sdk.FunctionLogger;

import java.util.Map;

/** The Context of one Exec; the remaining time counts down from when the Exec arrived. */
record RequestContext(LoadedFunction function, String requestId, long deadlineNanos) implements Context {

    @Override
    public String getRequestId() {
        return requestId;
    }

    @Override
    public String getFunctionName() {
        return function.name();
    }

    @Override
    public int getFunctionVersion() {
        return function.version();
    }

    @Override
    public int getMemoryLimitInMB() {
        return function.memoryLimitMb();
    }

    @Override
    public long getRemainingTimeInMillis() {
        return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    @Override
    public FunctionLogger getLogger() {
        return function.logger();
    }

    @Override
    public Map<String, String> getEnvironment() {
        return function.environment();
    }

    @Override
    public String toString() {
        return "Context[requestId=" + requestId + ", functionName=" + function.name() + "]";
    }
}
