package io.nimbus.invoker;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a failed async invocation waits before its next attempt: {@code base} after the
 * first failure, doubling after each one, capped at {@code max}, with ±20 % jitter so that a
 * burst of failures does not retry in lock-step.
 */
public record RetryBackoff(Duration base, Duration max) {

    /** The wait after the {@code failures}-th failed attempt (1 for the first). */
    public Duration after(int failures) {
        long doubled = base.toMillis() << Math.min(failures - 1, 20);
        long capped = Math.min(doubled, max.toMillis());
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.round(capped * jitter));
    }
}
