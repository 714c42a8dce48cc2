package io.nimbus.sdk;

/**
 * A function's entry point. Nimbus creates one instance per worker, through the public (or
 * any) no-argument constructor, and calls it once per request, one request at a time; fields
 * set up in the constructor (clients, caches) live as long as the worker.
 *
 * <pre>{@code
 * public class Hello implements Handler {
 *     public Object handleRequest(Object event, Context context) {
 *         Map<?, ?> input = (Map<?, ?>) event;
 *         return Map.of("message", "Hello, " + input.get("name") + "!");
 *     }
 * }
 * }</pre>
 *
 * <p>The event is the request's JSON as {@link Json#parse(String)} reads it: a {@code Map},
 * {@code List}, {@code String}, {@code Long}, {@code BigInteger}, {@code Double},
 * {@code BigDecimal}, {@code Boolean} or {@code null}. The result is written as JSON by
 * {@link Json#write(Object)}: any of those, plus other numbers, arrays, enums and records.
 * An exception fails the request, reported under its class's simple name.
 */
@FunctionalInterface
public interface Handler {

    Object handleRequest(Object event, Context context) throws Exception;
}
