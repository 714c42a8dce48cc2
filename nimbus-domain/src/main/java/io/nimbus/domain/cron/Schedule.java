package io.nimbus.domain.cron;

import java.time.Instant;
import java.time.ZoneId;

/**
 * A function's cron schedule.
 *
 * @param catchUp     after downtime, run one missed tick (true) or none (false)
 * @param nextFireAt  the next tick: the scheduler fires it by moving this forward
 */
public record Schedule(String functionId, String functionName, CronExpression expression, ZoneId zone,
                       boolean catchUp, Instant nextFireAt, Instant createdAt) {
}
