package io.nimbus.domain.async;

import io.nimbus.domain.InvocationError;
import java.time.Instant;

/**
 * An async invocation that gave up: its retries ran out, or it grew older than
 * max_event_age_sec. Kept with its input so that it can be redriven.
 *
 * @param reason              {@code RetriesExhausted} or {@code EventAgeExceeded}
 * @param error               the last attempt's error, null when it never ran
 * @param redriveInvocationId the invocation a redrive started, null until redriven
 */
public record DeadLetter(String id, String functionId, String invocationId, String input, String reason,
                         InvocationError error, int attempts, Instant createdAt, Instant redrivenAt,
                         String redriveInvocationId) {
    public static final String RETRIES_EXHAUSTED = "RetriesExhausted";
    public static final String EVENT_AGE_EXCEEDED = "EventAgeExceeded";
}
