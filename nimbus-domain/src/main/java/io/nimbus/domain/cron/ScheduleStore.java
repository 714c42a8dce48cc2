package io.nimbus.domain.cron;

import io.nimbus.domain.Invocation;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Cron schedules, one per function at most. */
public interface ScheduleStore {

    /** Creates or replaces the function's schedule. @throws io.nimbus.domain.DomainException NOT_FOUND when the function is gone */
    void save(Schedule schedule);

    Optional<Schedule> find(String functionId);

    boolean delete(String functionId);

    /** Schedules whose next tick is at or before {@code now}, earliest first. */
    List<Schedule> due(Instant now, int max);

    /**
     * Moves the schedule's next tick from {@code schedule.nextFireAt()} to {@code next} and,
     * when {@code fire} is not null, queues it, in one transaction. It is a compare-and-set:
     * when another scheduler moved the tick first, nothing changes.
     *
     * @return true when this call moved the tick (and queued {@code fire})
     */
    boolean advance(Schedule schedule, Instant next, Invocation fire);
}
