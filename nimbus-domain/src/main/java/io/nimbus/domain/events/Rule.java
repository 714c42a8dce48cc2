package io.nimbus.domain.events;

import java.time.Instant;

/**
 * Binds a topic to a function: every event on the topic that passes the filter becomes an
 * async invocation of the function.
 *
 * @param filter the filter as JSON text, or null for every event
 */
public record Rule(String id, String name, String topic, String filter, String functionId, String functionName,
                   Instant createdAt) {
}
