package io.nimbus.domain.events;

import java.time.Instant;

/**
 * One event published on a topic.
 *
 * @param body       the event as JSON text
 * @param deliveries how many rules matched it, and so how many invocations it started
 */
public record Event(String id, String topic, String body, int deliveries, Instant publishedAt) {
}
