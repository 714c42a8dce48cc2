package io.nimbus.server;

import io.nimbus.cron.CronScheduler;
import io.nimbus.cron.Schedules;
import io.nimbus.domain.Function;
import io.nimbus.domain.FunctionCode;
import io.nimbus.domain.FunctionStatus;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.TriggerType;
import io.nimbus.store.Database;
import io.nimbus.store.JdbcAsyncQueue;
import io.nimbus.store.JdbcFunctionStore;
import io.nimbus.store.JdbcScheduleStore;
import io.nimbus.store.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cron scheduler against a real store, on SQLite and on PostgreSQL, with a clock the
 * test moves: several schedulers sharing the store fire each tick once, and missed ticks are
 * caught up at most once.
 */
class CronSchedulerTest {
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final Instant T0 = Instant.parse("2025-06-01T12:00:30Z");
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final MovableClock clock = new MovableClock(T0);
    private Database database;
    private String schema;
    private JdbcFunctionStore functions;
    private JdbcScheduleStore schedules;
    private JdbcAsyncQueue queue;
    private Function function;

    @AfterEach
    void close() throws Exception {
        database.close();
        if (schema != null) {
            administer("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void schedulersRacingForTheSameTicksFireEachTickOnce(String store) throws Exception {
        open(store);
        new Schedules(schedules, clock).put(function, "* * * * *", null, true);
        List<CronScheduler> schedulers = List.of(scheduler(), scheduler(), scheduler(), scheduler());

        int ticks = 20;
        int fired = 0;
        try (ExecutorService threads = Executors.newFixedThreadPool(schedulers.size())) {
            for (int minute = 1; minute <= ticks; minute++) {
                clock.set(T0.plus(Duration.ofMinutes(minute)));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Integer>> passes = schedulers.stream().map(scheduler -> threads.submit(() -> {
                    start.await();
                    return scheduler.firePass();
                })).toList();
                start.countDown();
                for (Future<Integer> pass : passes) {
                    fired += pass.get();
                }
            }
        }

        List<Invocation> queued = cronInvocations();
        assertThat(fired).isEqualTo(ticks);
        assertThat(queued).hasSize(ticks);
        assertThat(queued.stream().map(Invocation::input).distinct()).hasSize(ticks);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void afterDowntimeManyMissedTicksAreCaughtUpOnceThenTheScheduleGoesOnFromNow(String store) throws Exception {
        open(store);
        new Schedules(schedules, clock).put(function, "*/5 * * * *", null, true);
        CronScheduler scheduler = scheduler();

        clock.set(T0.plus(Duration.ofHours(3)));
        int afterDowntime = scheduler.firePass();
        int again = scheduler.firePass();

        assertThat(afterDowntime).isEqualTo(1);
        assertThat(again).isZero();
        assertThat(cronInvocations().getFirst().input()).contains("\"catch_up\":true");
        Instant next = schedules.find(function.id()).orElseThrow().nextFireAt();
        assertThat(next).isAfter(clock.instant()).isBefore(clock.instant().plus(Duration.ofMinutes(5)).plusSeconds(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void withoutCatchUpMissedTicksAreSkippedAndOnTimeTicksStillFire(String store) throws Exception {
        open(store);
        new Schedules(schedules, clock).put(function, "@every 1m", "Europe/Paris", false);
        CronScheduler scheduler = scheduler();

        clock.set(T0.plus(Duration.ofMinutes(30)));
        int missed = scheduler.firePass();
        clock.set(schedules.find(function.id()).orElseThrow().nextFireAt().plusSeconds(1));
        int onTime = scheduler.firePass();

        assertThat(missed).isZero();
        assertThat(onTime).isEqualTo(1);
        assertThat(cronInvocations()).hasSize(1);
    }

    private CronScheduler scheduler() {
        return new CronScheduler(schedules, functions, clock, Duration.ofSeconds(1), GRACE, () -> { });
    }

    private List<Invocation> cronInvocations() {
        List<Invocation> claimed = queue.claim(1000, Duration.ofMinutes(1), clock.instant().plus(Duration.ofDays(1)));
        assertThat(claimed).allMatch(invocation -> invocation.triggerType() == TriggerType.CRON);
        return claimed;
    }

    private void open(String store) throws Exception {
        if (store.equals("postgres")) {
            schema = "nimbus_cron_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            administer("CREATE SCHEMA " + schema);
            database = new Database(StoreConfig.postgres(POSTGRES + "?currentSchema=" + schema, "postgres", null, 8));
        } else {
            database = new Database(StoreConfig.sqlite(Files.createTempDirectory("nimbus-cron-")));
        }
        functions = new JdbcFunctionStore(database);
        schedules = new JdbcScheduleStore(database);
        queue = new JdbcAsyncQueue(database);
        FunctionCode code = new FunctionCode(Map.of("main.py", "def handler(e):\n    return 1\n".getBytes(StandardCharsets.UTF_8)));
        function = new Function(UUID.randomUUID().toString(), "cron-target", "", "python3.11", "main.handler", 128, 30, 10,
                Map.of(), List.of(), FunctionStatus.ACTIVE, 1, code.hash(), T0, T0);
        functions.create(function, code);
    }

    private static void administer(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(POSTGRES, "postgres", null);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** A clock the test sets. */
    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
