package io.nimbus.sdk.internal;

import io.nimbus.sdk.FunctionLogger;
import io.nimbus.sdk.Handler;

import java.util.Map;

/** What Init learned: the handler instance and the function's identity. */
record LoadedFunction(Handler handler, String name, int version, int memoryLimitMb, long timeoutMs,
                      Map<String, String> environment, FunctionLogger logger) {
}
