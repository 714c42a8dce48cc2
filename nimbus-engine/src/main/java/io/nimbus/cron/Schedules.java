package io.nimbus.cron;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.cron.CronExpression;
import io.nimbus.domain.cron.Schedule;
import io.nimbus.domain.cron.ScheduleStore;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** Setting, reading and removing a function's cron schedule. */
public final class Schedules {
    private final ScheduleStore store;
    private final Clock clock;

    public Schedules(ScheduleStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Replaces the function's schedule; its first tick is the first one after now.
     *
     * @param timezone an IANA zone name, null for UTC
     * @param catchUp  null for true
     */
    public Schedule put(Function function, String expression, String timezone, Boolean catchUp) {
        CronExpression cron = CronExpression.parse(expression);
        ZoneId zone = zone(timezone);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Schedule schedule = new Schedule(function.id(), function.name(), cron, zone, catchUp == null || catchUp,
                cron.next(now.atZone(zone)).toInstant().truncatedTo(ChronoUnit.MILLIS), now);
        store.save(schedule);
        return schedule;
    }

    public Optional<Schedule> find(Function function) {
        return store.find(function.id());
    }

    public boolean delete(Function function) {
        return store.delete(function.id());
    }

    private static ZoneId zone(String timezone) {
        if (timezone == null) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(timezone);
        } catch (DateTimeException e) {
            throw DomainException.invalid("timezone", "timezone must be an IANA zone such as Europe/Paris: " + timezone);
        }
    }
}
