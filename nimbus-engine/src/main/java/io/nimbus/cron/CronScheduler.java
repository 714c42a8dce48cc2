package io.nimbus.cron;

import io.nimbus.domain.Function;
import io.nimbus.domain.FunctionStore;
import io.nimbus.domain.Ids;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.TriggerType;
import io.nimbus.domain.cron.Schedule;
import io.nimbus.domain.cron.ScheduleStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Fires due cron ticks. Each pass reads the schedules whose next tick has come and, for each,
 * moves the tick forward and queues its invocation in one transaction, by compare-and-set on
 * the tick it read: when several schedulers (on several nodes) see the same tick, one fires it.
 *
 * <p>A tick more than {@code misfireGrace} late was missed (the server was down). A schedule
 * with catch_up runs it once, however many were missed; without, it runs none. Either way the
 * schedule then continues from now.
 */
public final class CronScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CronScheduler.class);
    private static final int BATCH = 100;

    private final ScheduleStore store;
    private final FunctionStore functions;
    private final Clock clock;
    private final Duration pollInterval;
    private final Duration misfireGrace;
    private final Runnable queued;
    private volatile boolean running = true;
    private Thread thread;

    /**
     * @param functions read for each tick, so that it runs the function's current version
     * @param queued    told after a tick was queued, to claim it at once
     */
    public CronScheduler(ScheduleStore store, FunctionStore functions, Clock clock, Duration pollInterval,
                         Duration misfireGrace, Runnable queued) {
        this.store = store;
        this.functions = functions;
        this.clock = clock;
        this.pollInterval = pollInterval;
        this.misfireGrace = misfireGrace;
        this.queued = queued;
    }

    public void start() {
        thread = Thread.ofPlatform().name("cron-scheduler").daemon().start(this::loop);
    }

    /**
     * One pass over the due schedules.
     *
     * @return how many ticks this pass fired
     */
    public int firePass() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<Schedule> due = store.due(now, BATCH);
        int fired = 0;
        for (Schedule schedule : due) {
            fired += fire(schedule, now) ? 1 : 0;
        }
        if (fired > 0) {
            queued.run();
        }
        return fired;
    }

    private boolean fire(Schedule schedule, Instant now) {
        Function function = functions.findById(schedule.functionId()).orElse(null);
        if (function == null) {
            return false;
        }
        Instant tick = schedule.nextFireAt();
        boolean missed = Duration.between(tick, now).compareTo(misfireGrace) > 0;
        Instant next = missed ? nextAfter(schedule, now) : nextAfter(schedule, tick);
        Invocation invocation = missed && !schedule.catchUp() ? null
                : Invocation.pending(Ids.timeOrdered(), function, TriggerType.CRON, event(schedule, tick, missed), now);
        return store.advance(schedule, next, invocation) && invocation != null;
    }

    private static Instant nextAfter(Schedule schedule, Instant after) {
        return schedule.expression().next(after.atZone(schedule.zone())).toInstant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** The event a tick's invocation gets: which tick it is, and whether it is a late catch-up. */
    private static String event(Schedule schedule, Instant tick, boolean catchUp) {
        return "{\"scheduled_time\":\"" + tick + "\",\"cron_expression\":\"" + schedule.expression().text()
                .replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"timezone\":\"" + schedule.zone().getId()
                + "\",\"catch_up\":" + catchUp + "}";
    }

    private void loop() {
        while (running) {
            try {
                firePass();
                Thread.sleep(pollInterval);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("firing cron ticks failed; retrying", e);
                try {
                    Thread.sleep(pollInterval);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
