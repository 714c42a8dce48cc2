package io.nimbus.domain.async;

import io.nimbus.domain.DomainException;

/**
 * What happens to a function's async invocations after they run (Lambda's event invoke config).
 *
 * @param maxRetries    how many times a failed invocation runs again, 0 to 2
 * @param maxEventAgeSec an invocation older than this is not run (again) but dead-lettered
 * @param onSuccess     where a success record goes, or null
 * @param onFailure     where a failure record goes after the last attempt, or null for the dead-letter queue
 */
public record AsyncConfig(int maxRetries, int maxEventAgeSec, Destination onSuccess, Destination onFailure) {
    public static final int MAX_RETRIES = 2;
    public static final int MIN_EVENT_AGE_SEC = 60;
    public static final int MAX_EVENT_AGE_SEC = 6 * 3600;
    public static final AsyncConfig DEFAULT = new AsyncConfig(MAX_RETRIES, MAX_EVENT_AGE_SEC, null, null);

    public AsyncConfig {
        if (maxRetries < 0 || maxRetries > MAX_RETRIES) {
            throw DomainException.invalid("max_retries", "max_retries must be between 0 and " + MAX_RETRIES);
        }
        if (maxEventAgeSec < MIN_EVENT_AGE_SEC || maxEventAgeSec > MAX_EVENT_AGE_SEC) {
            throw DomainException.invalid("max_event_age_sec",
                    "max_event_age_sec must be between " + MIN_EVENT_AGE_SEC + " and " + MAX_EVENT_AGE_SEC);
        }
    }
}
