package io.nimbus.domain;

/**
 * Why an invocation did not succeed.
 *
 * @param code       the outcome class: {@code FunctionError}, {@code Timeout}, {@code RuntimeExit}, ...
 * @param type       for a FunctionError, the language's error type ({@code ValueError}, {@code TypeError}); else null
 * @param message    human-readable reason
 * @param stackTrace the handler's stack trace as the runtime printed it, or null
 */
public record InvocationError(String code, String type, String message, String stackTrace) {
}
