package io.nimbus.server;

import io.nimbus.api.EventingParts;
import io.nimbus.cron.CronScheduler;
import io.nimbus.cron.Schedules;
import io.nimbus.domain.AsyncQueue;
import io.nimbus.domain.FunctionStore;
import io.nimbus.events.EventBus;
import io.nimbus.functions.FunctionService;
import io.nimbus.invoker.AsyncConfigs;
import io.nimbus.invoker.AsyncInvocations;
import io.nimbus.invoker.AsyncSettlement;
import io.nimbus.invoker.DeadLetters;
import io.nimbus.invoker.Destinations;
import io.nimbus.invoker.RetryBackoff;
import io.nimbus.store.Database;
import io.nimbus.store.JdbcAsyncConfigStore;
import io.nimbus.store.JdbcDeadLetterStore;
import io.nimbus.store.JdbcEventStore;
import io.nimbus.store.JdbcScheduleStore;

import java.time.Clock;

/**
 * The wiring of reliable async, the event bus and cron, kept apart from {@link Nimbus} so
 * that the main wiring stays short. The bus is told to wake the async dispatcher once that
 * exists, hence the late-bound {@code wake}.
 */
final class Eventing {
    private final Database database;
    private final FunctionService functions;
    private final Clock clock;
    private final NimbusConfig config;
    private final JdbcAsyncConfigStore asyncConfigs;
    private final EventBus bus;
    private volatile Runnable wake = () -> { };

    Eventing(Database database, FunctionService functions, Clock clock, NimbusConfig config) {
        this.database = database;
        this.functions = functions;
        this.clock = clock;
        this.config = config;
        this.asyncConfigs = new JdbcAsyncConfigStore(database);
        this.bus = new EventBus(new JdbcEventStore(database), functions, clock, () -> wake.run());
    }

    AsyncSettlement settlement(AsyncQueue queue) {
        return new AsyncSettlement(queue, asyncConfigs, new Destinations(functions, bus, clock),
                new RetryBackoff(config.millis(Setting.ASYNC_RETRY_BASE_MS), config.millis(Setting.ASYNC_RETRY_MAX_MS)),
                clock);
    }

    /** Starts firing cron ticks into {@code async}; the scheduler returned is to be closed on stop. */
    CronScheduler startCron(AsyncInvocations async, FunctionStore functionStore) {
        wake = async::wake;
        CronScheduler scheduler = new CronScheduler(new JdbcScheduleStore(database), functionStore, clock,
                config.millis(Setting.CRON_POLL_MS), config.millis(Setting.CRON_MISFIRE_GRACE_MS), async::wake);
        scheduler.start();
        return scheduler;
    }

    EventingParts apiParts(AsyncInvocations async) {
        return new EventingParts(new AsyncConfigs(asyncConfigs, functions, clock),
                new DeadLetters(new JdbcDeadLetterStore(database), async, clock), bus,
                new Schedules(new JdbcScheduleStore(database), clock));
    }
}
