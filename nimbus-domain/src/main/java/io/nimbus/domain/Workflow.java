package io.nimbus.domain;

import java.time.Instant;

/**
 * A stored workflow definition. Definitions are immutable once created: an execution keeps
 * a copy of the definition it started with, so nothing can change a run under its feet.
 *
 * @param definition the validated definition as JSON text: {@code name}, {@code description}, {@code steps}
 */
public record Workflow(String id, String name, String description, String definition, Instant createdAt) {
}
