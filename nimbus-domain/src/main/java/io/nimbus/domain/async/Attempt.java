package io.nimbus.domain.async;

import io.nimbus.domain.InvocationError;
import io.nimbus.domain.InvocationStatus;
import java.time.Instant;

/** One failed attempt of an async invocation that was then retried. Numbered from 1. */
public record Attempt(int number, InvocationStatus status, InvocationError error, String logs, long durationMs,
                      Instant startedAt, Instant completedAt) {
}
