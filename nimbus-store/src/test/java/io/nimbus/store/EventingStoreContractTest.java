package io.nimbus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.FunctionCode;
import io.nimbus.domain.FunctionStatus;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.InvocationError;
import io.nimbus.domain.InvocationStatus;
import io.nimbus.domain.TriggerType;
import io.nimbus.domain.async.Aftermath;
import io.nimbus.domain.async.AsyncConfig;
import io.nimbus.domain.async.DeadLetter;
import io.nimbus.domain.async.Destination;
import io.nimbus.domain.async.IdempotencyKey;
import io.nimbus.domain.async.Submission;
import io.nimbus.domain.cron.CronExpression;
import io.nimbus.domain.cron.Schedule;
import io.nimbus.domain.events.Event;
import io.nimbus.domain.events.Publication;
import io.nimbus.domain.events.Rule;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the stores of reliable async, the event bus and cron must do, whatever the database:
 * each step is one transaction, and the compare-and-sets hold under concurrency.
 */
abstract class EventingStoreContractTest {
    private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);

    protected Database database;
    private JdbcFunctionStore functions;
    private JdbcAsyncQueue queue;
    private JdbcDeadLetterStore deadLetters;
    private JdbcAsyncConfigStore configs;
    private JdbcEventStore events;
    private JdbcScheduleStore schedules;

    protected abstract StoreConfig config();

    @BeforeEach
    void open() {
        database = new Database(config());
        functions = new JdbcFunctionStore(database);
        queue = new JdbcAsyncQueue(database);
        deadLetters = new JdbcDeadLetterStore(database);
        configs = new JdbcAsyncConfigStore(database);
        events = new JdbcEventStore(database);
        schedules = new JdbcScheduleStore(database);
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void anIdempotencyKeyQueuesOnceAndTellsAReplayFromAReuse() {
        Function f = created("keyed");
        IdempotencyKey key = new IdempotencyKey("k1", "hash-a", T0.plus(Duration.ofHours(24)));

        Submission first = queue.enqueue(pending("a", f, T0), key);
        Submission replay = queue.enqueue(pending("b", f, T0.plusSeconds(1)), key);
        Submission reuse = queue.enqueue(pending("c", f, T0.plusSeconds(2)),
                new IdempotencyKey("k1", "hash-b", T0.plus(Duration.ofHours(24))));
        Submission afterExpiry = queue.enqueue(pending("d", f, T0.plus(Duration.ofHours(25))),
                new IdempotencyKey("k1", "hash-b", T0.plus(Duration.ofHours(49))));

        assertThat(first).isInstanceOf(Submission.Accepted.class);
        assertThat(replay).isEqualTo(new Submission.Replayed("a"));
        assertThat(reuse).isEqualTo(new Submission.KeyReused("a"));
        assertThat(afterExpiry).isInstanceOf(Submission.Accepted.class);
        assertThat(queue.depth()).isEqualTo(2);
    }

    @Test
    void concurrentSubmissionsUnderOneNewKeyQueueOneInvocation() throws Exception {
        Function f = created("racing-keys");
        IdempotencyKey key = new IdempotencyKey("same", "hash", T0.plus(Duration.ofHours(24)));
        List<Callable<Submission>> submissions = IntStream.range(0, 8)
                .<Callable<Submission>>mapToObj(i -> () -> queue.enqueue(pending("race-" + i, f, T0), key)).toList();

        List<Submission> outcomes;
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            outcomes = threads.invokeAll(submissions).stream().map(EventingStoreContractTest::get).toList();
        }

        assertThat(outcomes).filteredOn(Submission.Accepted.class::isInstance).hasSize(1);
        assertThat(outcomes).filteredOn(Submission.Replayed.class::isInstance).hasSize(7);
        assertThat(queue.depth()).isEqualTo(1);
    }

    @Test
    void aRetryKeepsTheFailedAttemptAndQueuesTheInvocationAgainWhenDue() {
        Function f = created("retried");
        queue.enqueue(pending("r1", f, T0));
        Invocation claimed = queue.claim(1, LEASE, T0).getFirst();

        queue.retry(failed(claimed, T0.plusSeconds(1)), T0.plusSeconds(10));

        assertThat(queue.attempts("r1")).hasSize(1);
        assertThat(queue.attempts("r1").getFirst().number()).isEqualTo(1);
        assertThat(queue.attempts("r1").getFirst().error().message()).isEqualTo("boom");
        assertThat(queue.claim(1, LEASE, T0.plusSeconds(9))).isEmpty();
        Invocation again = queue.claim(1, LEASE, T0.plusSeconds(10)).getFirst();
        queue.retry(failed(again, T0.plusSeconds(11)), T0.plusSeconds(20));
        assertThat(queue.attempts("r1")).extracting(a -> a.number()).containsExactly(1, 2);
    }

    @Test
    void finishingWritesTheDeadLetterAndFollowUpsButSkipsADeletedDestination() {
        Function f = created("finisher");
        Function target = created("target");
        Function gone = created("gone");
        functions.delete(gone.id());
        queue.enqueue(pending("f1", f, T0));
        Invocation last = failed(queue.claim(1, LEASE, T0).getFirst(), T0.plusSeconds(1));
        DeadLetter letter = new DeadLetter("dl1", f.id(), "f1", "{\"n\":1}", DeadLetter.RETRIES_EXHAUSTED, last.error(), 3,
                T0.plusSeconds(1), null, null);

        queue.finish(last, new Aftermath(List.of(pending("to-target", target, T0), pending("to-gone", gone, T0)), List.of(),
                letter));

        assertThat(queue.depth()).isEqualTo(1);
        assertThat(queue.claim(5, LEASE, T0.plusSeconds(2))).extracting(Invocation::id).containsExactly("to-target");
        assertThat(deadLetters.list(f.id(), 10, 0)).containsExactly(letter);
    }

    @Test
    void aDeadLetterIsRedrivenOnce() {
        Function f = created("redriven");
        queue.enqueue(pending("d1", f, T0));
        Invocation last = failed(queue.claim(1, LEASE, T0).getFirst(), T0);
        DeadLetter letter = new DeadLetter("dl2", f.id(), "d1", "{}", DeadLetter.EVENT_AGE_EXCEEDED, null, 1, T0, null, null);
        queue.finish(last, new Aftermath(List.of(), List.of(), letter));

        boolean first = deadLetters.redrive(letter, pending("again-1", f, T0.plusSeconds(5)));
        boolean second = deadLetters.redrive(letter, pending("again-2", f, T0.plusSeconds(6)));

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        DeadLetter redriven = deadLetters.find(f.id(), "dl2").orElseThrow();
        assertThat(redriven.redriveInvocationId()).isEqualTo("again-1");
        assertThat(redriven.redrivenAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(queue.depth()).isEqualTo(1);
    }

    @Test
    void asyncConfigsKeepTheirDestinationsAndADeletedDestinationFunctionReadsAsNone() {
        Function f = created("configured");
        Function sink = created("sink");
        AsyncConfig config = new AsyncConfig(1, 120, new Destination.ToFunction(sink.id(), "sink"),
                new Destination.ToTopic("failures"));

        configs.save(f.id(), config, T0);
        AsyncConfig read = configs.find(f.id()).orElseThrow();
        functions.delete(sink.id());

        assertThat(read).isEqualTo(config);
        assertThat(configs.find(f.id()).orElseThrow().onSuccess()).isNull();
        assertThat(configs.delete(f.id())).isTrue();
        assertThat(configs.find(f.id())).isEmpty();
    }

    @Test
    void publishingKeepsTheEventAndQueuesItsDeliveriesTogether() {
        Function f = created("listener");
        events.createRule(new Rule("r1", "on-orders", "orders", "{\"a\":1}", f.id(), f.name(), T0));
        Event event = new Event("e1", "orders", "{\"a\":1}", 1, T0);

        events.publish(new Publication(event, List.of(pending("delivery", f, T0))));

        assertThat(events.recent("orders", 10)).containsExactly(event);
        assertThat(events.rules("orders")).extracting(Rule::name).containsExactly("on-orders");
        assertThat(events.rules("other")).isEmpty();
        assertThat(events.rule("on-orders").orElseThrow().filter()).isEqualTo("{\"a\":1}");
        assertThat(queue.claim(5, LEASE, T0)).extracting(Invocation::triggerType).containsExactly(TriggerType.EVENT);
    }

    @Test
    void aRuleNameIsUniqueAndARuleNeedsAnExistingFunction() {
        Function f = created("rule-owner");
        events.createRule(new Rule("r1", "taken", "t", null, f.id(), f.name(), T0));

        assertThatThrownBy(() -> events.createRule(new Rule("r2", "taken", "t", null, f.id(), f.name(), T0)))
                .isInstanceOfSatisfying(DomainException.class, e -> assertThat(e.kind()).isEqualTo(DomainException.Kind.CONFLICT));
        assertThatThrownBy(() -> events.createRule(new Rule("r3", "orphan", "t", null, "no-such-id", "ghost", T0)))
                .isInstanceOfSatisfying(DomainException.class, e -> assertThat(e.field()).isEqualTo("function"));
        functions.delete(f.id());
        assertThat(events.rules(null)).isEmpty();
    }

    @Test
    void advancingAScheduleIsACompareAndSetOnTheTickItRead() {
        Function f = created("scheduled");
        Schedule schedule = new Schedule(f.id(), f.name(), CronExpression.parse("@every 1m"), ZoneId.of("UTC"), true,
                T0.plusSeconds(60), T0);
        schedules.save(schedule);

        boolean first = schedules.advance(schedule, T0.plusSeconds(120), pending("tick-1", f, T0.plusSeconds(60)));
        boolean stale = schedules.advance(schedule, T0.plusSeconds(120), pending("tick-1-again", f, T0.plusSeconds(60)));

        assertThat(first).isTrue();
        assertThat(stale).isFalse();
        assertThat(queue.depth()).isEqualTo(1);
        assertThat(schedules.find(f.id()).orElseThrow().nextFireAt()).isEqualTo(T0.plusSeconds(120));
        assertThat(schedules.due(T0.plusSeconds(119), 10)).isEmpty();
        assertThat(schedules.due(T0.plusSeconds(120), 10)).hasSize(1);
    }

    private Function created(String name) {
        FunctionCode code = new FunctionCode(Map.of("main.py", "def handler(e):\n    return 1\n".getBytes(StandardCharsets.UTF_8)));
        Function function = new Function(UUID.randomUUID().toString(), name, "", "python3.11", "main.handler", 128, 30, 10,
                Map.of(), List.of(), FunctionStatus.ACTIVE, 1, code.hash(), T0, T0);
        functions.create(function, code);
        return function;
    }

    private static Invocation pending(String id, Function function, Instant at) {
        return Invocation.pending(id, function, id.startsWith("delivery") ? TriggerType.EVENT : TriggerType.ASYNC, "{}", at);
    }

    private static Invocation failed(Invocation claimed, Instant at) {
        return new Invocation(claimed.id(), claimed.functionId(), claimed.functionName(), claimed.functionVersion(),
                claimed.triggerType(), InvocationStatus.FAILED, claimed.input(), null,
                new InvocationError("FunctionError", "ValueError", "boom", null), "log", false, null, 5,
                claimed.createdAt(), claimed.startedAt(), at);
    }

    private static <T> T get(Future<T> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
