package io.nimbus.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nimbus.domain.Alias;
import io.nimbus.domain.AliasStore;
import io.nimbus.domain.AsyncQueue;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.FunctionCode;
import io.nimbus.domain.FunctionQuery;
import io.nimbus.domain.FunctionStatus;
import io.nimbus.domain.HttpRoute;
import io.nimbus.domain.FunctionStore;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.InvocationError;
import io.nimbus.domain.InvocationQuery;
import io.nimbus.domain.InvocationStatus;
import io.nimbus.domain.InvocationStore;
import io.nimbus.domain.TriggerType;
import io.nimbus.domain.Webhook;
import io.nimbus.domain.WebhookStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every store must do, whatever the database. Subclasses say where the store lives;
 * times are whole milliseconds because that is what the store keeps.
 */
abstract class StoreContractTest {
    static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
    private static final FunctionCode CODE = code("main.py", "def handler(event, context):\n    return event\n");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final int THREADS = 8;

    protected Database database;
    protected FunctionStore functions;
    protected InvocationStore invocations;
    protected AsyncQueue queue;
    protected AliasStore aliases;
    protected WebhookStore webhooks;

    /** Where the store under test lives; every call must give the same place. */
    protected abstract StoreConfig config();

    @BeforeEach
    void openStore() {
        open();
    }

    @AfterEach
    void closeStore() {
        database.close();
    }

    // --- functions ---

    @Test
    void createdFunctionIsFoundByIdAndByName() {
        Function hello = created("hello", T0, "team:core", "env=prod");

        assertThat(functions.findById(hello.id())).contains(hello);
        assertThat(functions.findByName("hello")).contains(hello);
    }

    @Test
    void aFinishedBuildRecordsItsStatusAndLogOnlyOnTheVersionStillBuilding() {
        Function v1 = create(function("hello", T0, "go1.19", FunctionStatus.BUILDING, CODE));
        FunctionCode newCode = code("main.py", "changed");
        Function v2 = nextVersion(v1, newCode, T0.plusSeconds(60));
        functions.update(v2, newCode);
        assertThat(functions.building()).containsExactly(v2);

        assertThat(functions.finishBuild(v1.id(), 1, FunctionStatus.FAILED, "main.go:1: late")).isFalse();
        assertThat(functions.finishBuild(v1.id(), 2, FunctionStatus.FAILED, "main.go:3: undefined: x")).isTrue();
        assertThat(functions.finishBuild(v1.id(), 2, FunctionStatus.ACTIVE, "again")).isFalse();

        assertThat(functions.findById(v1.id())).contains(v2.built(FunctionStatus.FAILED, "main.go:3: undefined: x"));
        assertThat(functions.building()).isEmpty();
    }

    @Test
    void unknownFunctionIsNotFound() {
        assertThat(functions.findById("no-such-id")).isEmpty();
        assertThat(functions.findByName("no-such-name")).isEmpty();
        assertThat(functions.findCode("no-such-id", 1)).isEmpty();
    }

    @Test
    void creatingAFunctionWithATakenNameChangesNothing() {
        Function first = created("hello", T0);
        Function second = function("hello", T0.plusSeconds(1), "python3.12", FunctionStatus.ACTIVE, CODE, "second");

        assertThatThrownBy(() -> functions.create(second, CODE))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.kind()).isEqualTo(DomainException.Kind.CONFLICT);
                    assertThat(e.field()).isEqualTo("name");
                    assertThat(e.getMessage()).isEqualTo("a function named 'hello' already exists");
                });
        assertThat(functions.findById(second.id())).isEmpty();
        assertThat(functions.findCode(second.id(), 1)).isEmpty();
        assertThat(functions.list(allFunctions())).containsExactly(first);
        assertThat(functions.list(byTag("second"))).isEmpty();
    }

    @Test
    void aRouteAnotherFunctionServesIsRefusedAndNothingIsWritten() {
        Function reader = create(routed(function("reader", T0, "python3.11", FunctionStatus.ACTIVE, CODE),
                "/users/{id}", "GET"));
        Function thief = routed(function("thief", T0, "python3.11", FunctionStatus.ACTIVE, CODE), "/users/{key}", "POST", "GET");

        assertThatThrownBy(() -> functions.create(thief, CODE))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.kind()).isEqualTo(DomainException.Kind.CONFLICT);
                    assertThat(e.field()).isEqualTo("http_path");
                });
        assertThat(functions.findById(thief.id())).isEmpty();
        assertThat(functions.routed()).containsExactly(reader);
    }

    @Test
    void anUpdateWithoutTheRouteFreesIt() {
        Function v1 = create(routed(function("holder", T0, "python3.11", FunctionStatus.ACTIVE, CODE), "/things/{id}", "GET"));
        Function v2 = nextVersion(v1, CODE, T0.plusSeconds(1));
        functions.update(v2, CODE);

        Function taker = create(routed(function("taker", T0, "python3.11", FunctionStatus.ACTIVE, CODE), "/things/{x}", "GET"));

        assertThat(functions.routed()).containsExactly(taker);
        assertThat(functions.findVersion(v1.id(), 1).orElseThrow().httpRoute()).isNull();
    }

    @Test
    void codeIsKeptByteForByte() {
        FunctionCode code = new FunctionCode(Map.of(
                "main.py", "print('héllo')\n".getBytes(UTF_8),
                "lib/data.bin", new byte[] {0, (byte) 0xff, 10, 13, 127, (byte) 0x80},
                "empty.txt", new byte[0]));
        Function function = function("binary", T0, "python3.11", FunctionStatus.ACTIVE, code);
        functions.create(function, code);

        FunctionCode stored = functions.findCode(function.id(), 1).orElseThrow();

        assertThat(stored.files()).containsOnlyKeys("empty.txt", "lib/data.bin", "main.py");
        code.files().forEach((path, content) -> assertThat(stored.files().get(path)).isEqualTo(content));
        assertThat(stored.hash()).isEqualTo(code.hash());
    }

    @Test
    void updatingRecordsTheNextVersionAndKeepsTheCodeOfEveryVersion() {
        Function v1 = created("hello", T0);
        FunctionCode newCode = code("main.py", "def handler(event, context):\n    return 2\n");
        Function v2 = nextVersion(v1, newCode, T0.plusSeconds(60));

        functions.update(v2, newCode);

        assertThat(functions.findById(v1.id())).contains(v2);
        assertThat(functions.findCode(v1.id(), 1)).map(FunctionCode::hash).contains(CODE.hash());
        assertThat(functions.findCode(v1.id(), 2)).map(FunctionCode::hash).contains(newCode.hash());
    }

    @Test
    void updatingWithUnchangedCodeStillRecordsTheNewVersion() {
        Function v1 = created("hello", T0);
        Function v2 = nextVersion(v1, CODE, T0.plusSeconds(60));

        functions.update(v2, CODE);

        assertThat(functions.findById(v1.id())).map(Function::version).contains(2);
        assertThat(functions.findCode(v1.id(), 2)).map(FunctionCode::hash).contains(CODE.hash());
    }

    @Test
    void updatingFromAnOutdatedVersionIsAConflictAndChangesNothing() {
        Function v1 = created("hello", T0);
        Function v2 = nextVersion(v1, CODE, T0.plusSeconds(60));
        functions.update(v2, CODE);
        FunctionCode lateCode = code("main.py", "late");
        Function late = nextVersion(v1, lateCode, T0.plusSeconds(61));

        assertThatThrownBy(() -> functions.update(late, lateCode))
                .isInstanceOfSatisfying(DomainException.class,
                        e -> assertThat(e.kind()).isEqualTo(DomainException.Kind.CONFLICT));
        assertThat(functions.findById(v1.id())).contains(v2);
        assertThat(functions.findCode(v1.id(), 2)).map(FunctionCode::hash).contains(CODE.hash());
    }

    @Test
    void updatingADeletedFunctionIsNotFound() {
        Function v1 = created("hello", T0);
        functions.delete(v1.id());

        assertThatThrownBy(() -> functions.update(nextVersion(v1, CODE, T0.plusSeconds(60)), CODE))
                .isInstanceOfSatisfying(DomainException.class,
                        e -> assertThat(e.kind()).isEqualTo(DomainException.Kind.NOT_FOUND));
        assertThat(functions.findCode(v1.id(), 2)).isEmpty();
    }

    @Test
    void updatingReplacesTheTagsThatListingFiltersOn() {
        Function v1 = created("hello", T0, "old", "kept");
        Function v2 = withTags(nextVersion(v1, CODE, T0.plusSeconds(60)), "kept", "new");

        functions.update(v2, CODE);

        assertThat(functions.list(byTag("old"))).isEmpty();
        assertThat(functions.list(byTag("kept"))).containsExactly(v2);
        assertThat(functions.list(byTag("new"))).containsExactly(v2);
    }

    @Test
    void listingIsNewestFirstThenByName() {
        Function b = created("b", T0);
        Function a = created("a", T0);
        Function c = created("c", T0.plusSeconds(1));

        assertThat(functions.list(allFunctions())).containsExactly(c, a, b);
    }

    @Test
    void listingFiltersByName() {
        Function hello = created("hello", T0);
        created("hello-world", T0);

        assertThat(functions.list(new FunctionQuery("hello", null, null, null, 10, 0))).containsExactly(hello);
    }

    @Test
    void listingFiltersByRuntime() {
        Function node = create(function("node-fn", T0, "node22", FunctionStatus.ACTIVE, CODE));
        created("python-fn", T0);

        assertThat(functions.list(new FunctionQuery(null, "node22", null, null, 10, 0))).containsExactly(node);
    }

    @Test
    void listingFiltersByTag() {
        Function tagged = created("tagged", T0, "team:core", "env=prod");
        created("other", T0, "team:edge");

        assertThat(functions.list(byTag("env=prod"))).containsExactly(tagged);
        assertThat(functions.list(byTag("env"))).isEmpty();
    }

    @Test
    void listingFiltersByStatus() {
        Function failed = create(function("broken", T0, "python3.11", FunctionStatus.FAILED, CODE));
        created("fine", T0);

        assertThat(functions.list(new FunctionQuery(null, null, null, FunctionStatus.FAILED, 10, 0)))
                .containsExactly(failed);
    }

    @Test
    void listingPagesWithLimitAndOffset() {
        List<Function> oldestFirst = IntStream.range(0, 5)
                .mapToObj(i -> created("fn-" + i, T0.plusSeconds(i)))
                .toList();

        assertThat(functions.list(new FunctionQuery(null, null, null, null, 2, 0)))
                .containsExactly(oldestFirst.get(4), oldestFirst.get(3));
        assertThat(functions.list(new FunctionQuery(null, null, null, null, 2, 2)))
                .containsExactly(oldestFirst.get(2), oldestFirst.get(1));
        assertThat(functions.list(new FunctionQuery(null, null, null, null, 2, 4))).containsExactly(oldestFirst.get(0));
        assertThat(functions.list(new FunctionQuery(null, null, null, null, 2, 5))).isEmpty();
    }

    @Test
    void deletingAFunctionRemovesItsVersionsInvocationsAndQueuedWork() {
        Function doomed = created("doomed", T0);
        functions.update(nextVersion(doomed, CODE, T0.plusSeconds(1)), CODE);
        invocations.saveAll(List.of(finished("doomed-call", doomed, InvocationStatus.SUCCESS, T0)));
        queue.enqueue(pending("doomed-job", doomed, T0));
        Function kept = created("kept", T0);
        queue.enqueue(pending("kept-job", kept, T0));

        assertThat(functions.delete(doomed.id())).isTrue();

        assertThat(functions.findById(doomed.id())).isEmpty();
        assertThat(functions.findCode(doomed.id(), 1)).isEmpty();
        assertThat(functions.findCode(doomed.id(), 2)).isEmpty();
        assertThat(invocations.findById("doomed-call")).isEmpty();
        assertThat(invocations.findById("doomed-job")).isEmpty();
        assertThat(invocations.findById("kept-job")).isPresent();
        assertThat(queue.depth()).isEqualTo(1);
    }

    @Test
    void deletingAnAbsentFunctionReturnsFalse() {
        assertThat(functions.delete("no-such-id")).isFalse();
    }

    // --- versions and aliases ---

    @Test
    void everyVersionKeepsTheConfigurationItWasPublishedWith() {
        Function v1 = create(function("versioned", T0, "python3.11", FunctionStatus.ACTIVE, CODE));
        FunctionCode newCode = code("main.py", "changed");
        Function v2 = nextVersion(v1, newCode, T0.plusSeconds(60));
        functions.update(v2, newCode);

        assertThat(functions.findVersion(v1.id(), 1)).contains(v1);
        assertThat(functions.findVersion(v1.id(), 2)).contains(v2);
        assertThat(functions.findVersion(v1.id(), 3)).isEmpty();
        assertThat(functions.versions(v1.id())).containsExactly(v2, v1);
    }

    @Test
    void aFinishedBuildIsRecordedOnItsVersionEvenAfterItWasReplaced() {
        Function v1 = create(function("built-late", T0, "go1.19", FunctionStatus.BUILDING, CODE));
        FunctionCode newCode = code("main.py", "changed");
        functions.update(nextVersion(v1, newCode, T0.plusSeconds(60)), newCode);

        assertThat(functions.finishBuild(v1.id(), 1, FunctionStatus.ACTIVE, "ok")).isFalse();

        assertThat(functions.findVersion(v1.id(), 1).orElseThrow().status()).isEqualTo(FunctionStatus.ACTIVE);
        assertThat(functions.findVersion(v1.id(), 1).orElseThrow().buildLog()).isEqualTo("ok");
        assertThat(functions.findVersion(v1.id(), 2).orElseThrow().status()).isEqualTo(FunctionStatus.BUILDING);
    }

    @Test
    void oldVersionsAreDeletedExceptThoseAnAliasPointsAt() {
        Function current = create(function("retained", T0, "python3.11", FunctionStatus.ACTIVE, CODE));
        for (int i = 2; i <= 5; i++) {
            FunctionCode next = code("main.py", "v" + i);
            current = nextVersion(current, next, T0.plusSeconds(i));
            functions.update(current, next);
        }
        aliases.create(new Alias(current.id(), "stable", 1, 2, 0.5, T0, T0));

        assertThat(functions.deleteVersionsBelow(current.id(), 4)).containsExactlyInAnyOrder(3);

        assertThat(functions.versions(current.id())).extracting(Function::version).containsExactly(5, 4, 2, 1);
        assertThat(functions.findCode(current.id(), 3)).isEmpty();
    }

    @Test
    void anAliasIsCreatedReplacedListedAndDeleted() {
        Function f = create(function("aliased", T0, "python3.11", FunctionStatus.ACTIVE, CODE));
        FunctionCode newCode = code("main.py", "changed");
        functions.update(nextVersion(f, newCode, T0.plusSeconds(1)), newCode);
        Alias prod = new Alias(f.id(), "prod", 1, null, 0, T0, T0);
        aliases.create(prod);
        Alias canary = new Alias(f.id(), "prod", 1, 2, 0.2, T0, T0.plusSeconds(5));

        aliases.replace(canary);

        assertThat(aliases.find(f.id(), "prod")).contains(canary);
        assertThat(aliases.list(f.id())).containsExactly(canary);
        assertThat(aliases.delete(f.id(), "prod")).isTrue();
        assertThat(aliases.find(f.id(), "prod")).isEmpty();
        assertThat(aliases.delete(f.id(), "prod")).isFalse();
    }

    @Test
    void anAliasToAVersionThatDoesNotExistIsRefusedNamingTheField() {
        Function f = create(function("dangling", T0, "python3.11", FunctionStatus.ACTIVE, CODE));

        assertThatThrownBy(() -> aliases.create(new Alias(f.id(), "prod", 7, null, 0, T0, T0)))
                .isInstanceOfSatisfying(DomainException.class, e -> assertThat(e.field()).isEqualTo("version"));
        assertThatThrownBy(() -> aliases.create(new Alias(f.id(), "prod", 1, 9, 0.5, T0, T0)))
                .isInstanceOfSatisfying(DomainException.class,
                        e -> assertThat(e.field()).isEqualTo("additional_version"));
        aliases.create(new Alias(f.id(), "prod", 1, null, 0, T0, T0));
        assertThatThrownBy(() -> aliases.create(new Alias(f.id(), "prod", 1, null, 0, T0, T0)))
                .isInstanceOfSatisfying(DomainException.class, e -> assertThat(e.field()).isEqualTo("name"));
    }

    @Test
    void deletingAFunctionDeletesItsAliases() {
        Function f = create(function("gone-with-aliases", T0, "python3.11", FunctionStatus.ACTIVE, CODE));
        aliases.create(new Alias(f.id(), "prod", 1, null, 0, T0, T0));

        assertThat(functions.delete(f.id())).isTrue();

        assertThat(aliases.list(f.id())).isEmpty();
    }

    @Test
    void aWebhookIsFoundByItsKeyHashAndANewKeyReplacesTheOld() {
        Function f = create(function("hooked", T0, "python3.11", FunctionStatus.ACTIVE, CODE));
        Webhook first = new Webhook(f.id(), "hash-1", null, null, T0);
        Webhook second = new Webhook(f.id(), "hash-2", "s3cret", "X-Signature", T0.plusSeconds(1));
        webhooks.save(first);

        webhooks.save(second);

        assertThat(webhooks.findByKeyHash("hash-1")).isEmpty();
        assertThat(webhooks.findByKeyHash("hash-2")).contains(second);
        assertThat(functions.delete(f.id())).isTrue();
        assertThat(webhooks.findByKeyHash("hash-2")).isEmpty();
        assertThat(webhooks.delete(f.id())).isFalse();
    }

    // --- invocations ---

    @Test
    void savingInvocationsInsertsThenReplacesById() {
        Function hello = created("hello", T0);
        Invocation running = pending("call-1", hello, T0).running(T0.plusMillis(3));
        invocations.saveAll(List.of(running));
        assertThat(invocations.findById("call-1")).contains(running);

        Invocation failed = finished("call-1", hello, InvocationStatus.FAILED, T0);
        invocations.saveAll(List.of(failed));

        assertThat(invocations.findById("call-1")).contains(failed);
        assertThat(invocations.list(allInvocations())).containsExactly(failed);
    }

    @Test
    void savingInvocationsDropsRecordsOfDeletedFunctions() {
        Function kept = created("kept", T0);
        Function gone = created("gone", T0);
        functions.delete(gone.id());

        invocations.saveAll(List.of(
                finished("call-a", kept, InvocationStatus.SUCCESS, T0),
                finished("call-b", gone, InvocationStatus.SUCCESS, T0),
                finished("call-c", kept, InvocationStatus.TIMEOUT, T0)));

        assertThat(invocations.findById("call-a")).isPresent();
        assertThat(invocations.findById("call-b")).isEmpty();
        assertThat(invocations.findById("call-c")).isPresent();
    }

    @Test
    void savingHundredsOfInvocationsKeepsEveryOne() {
        Function hello = created("hello", T0);
        List<Invocation> batch = IntStream.range(0, 500)
                .mapToObj(i -> finished("call-%03d".formatted(i), hello, InvocationStatus.SUCCESS, T0.plusMillis(i)))
                .toList();

        invocations.saveAll(batch);

        assertThat(invocations.list(new InvocationQuery(null, null, 1000, 0))).hasSize(500);
        assertThat(invocations.findById("call-250")).contains(batch.get(250));
    }

    @Test
    void aFailedSaveIsReportedInOneLineWithoutTheRecordsItCarried() {
        Function hello = created("hello", T0);
        Invocation nameless = new Invocation("call-1", hello.id(), null, 1, TriggerType.ASYNC, InvocationStatus.PENDING,
                "{\"secret\": \"input\"}", null, null, null, false, null, 0, T0, null, null);

        assertThatThrownBy(() -> invocations.saveAll(List.of(nameless)))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("could not save 1 invocations: ")
                .hasMessageNotContaining("secret")
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("\n"));
        assertThat(invocations.findById("call-1")).isEmpty();
    }

    @Test
    void unknownInvocationIsNotFound() {
        assertThat(invocations.findById("no-such-call")).isEmpty();
    }

    @Test
    void listingInvocationsIsNewestFirstThenById() {
        Function hello = created("hello", T0);
        Invocation a = finished("call-a", hello, InvocationStatus.SUCCESS, T0);
        Invocation c = finished("call-c", hello, InvocationStatus.SUCCESS, T0);
        Invocation b = finished("call-b", hello, InvocationStatus.SUCCESS, T0.plusSeconds(1));
        invocations.saveAll(List.of(a, c, b));

        assertThat(invocations.list(allInvocations())).containsExactly(b, c, a);
    }

    @Test
    void listingInvocationsFiltersByFunctionAndByStatus() {
        Function f = created("f", T0);
        Function g = created("g", T0);
        Invocation fOk = finished("f-ok", f, InvocationStatus.SUCCESS, T0);
        Invocation fFailed = finished("f-failed", f, InvocationStatus.FAILED, T0.plusSeconds(1));
        Invocation gOk = finished("g-ok", g, InvocationStatus.SUCCESS, T0.plusSeconds(2));
        invocations.saveAll(List.of(fOk, fFailed, gOk));

        assertThat(invocations.list(new InvocationQuery(f.id(), null, 10, 0))).containsExactly(fFailed, fOk);
        assertThat(invocations.list(new InvocationQuery(null, InvocationStatus.SUCCESS, 10, 0))).containsExactly(gOk, fOk);
        assertThat(invocations.list(new InvocationQuery(f.id(), InvocationStatus.FAILED, 10, 0))).containsExactly(fFailed);
    }

    @Test
    void listingInvocationsPagesWithLimitAndOffset() {
        Function hello = created("hello", T0);
        List<Invocation> oldestFirst = IntStream.range(0, 5)
                .mapToObj(i -> finished("call-" + i, hello, InvocationStatus.SUCCESS, T0.plusSeconds(i)))
                .toList();
        invocations.saveAll(oldestFirst);

        assertThat(invocations.list(new InvocationQuery(null, null, 2, 1)))
                .containsExactly(oldestFirst.get(3), oldestFirst.get(2));
        assertThat(invocations.list(new InvocationQuery(null, null, 2, 4))).containsExactly(oldestFirst.get(0));
    }

    // --- async queue ---

    @Test
    void enqueuedInvocationIsPendingWithItsInput() {
        Function hello = created("hello", T0);
        Invocation job = pending("job-1", hello, T0);

        queue.enqueue(job);

        assertThat(invocations.findById("job-1")).contains(job);
        assertThat(queue.depth()).isEqualTo(1);
    }

    @Test
    void enqueueingForAMissingFunctionIsNotFoundAndQueuesNothing() {
        Function ghost = function("ghost", T0, "python3.11", FunctionStatus.ACTIVE, CODE);

        assertThatThrownBy(() -> queue.enqueue(pending("job-1", ghost, T0)))
                .isInstanceOfSatisfying(DomainException.class,
                        e -> assertThat(e.kind()).isEqualTo(DomainException.Kind.NOT_FOUND));
        assertThat(queue.depth()).isZero();
        assertThat(invocations.findById("job-1")).isEmpty();
    }

    @Test
    void claimingLeasesDueEntriesOldestFirstAndMarksThemRunning() {
        Function hello = created("hello", T0);
        queue.enqueue(pending("job-2", hello, T0.plusSeconds(1)));
        queue.enqueue(pending("job-1", hello, T0));
        queue.enqueue(pending("job-3", hello, T0.plusSeconds(2)));
        Instant now = T0.plusSeconds(10);

        List<Invocation> claimed = queue.claim(2, LEASE, now);

        assertThat(claimed).extracting(Invocation::id).containsExactly("job-1", "job-2");
        assertThat(claimed).allSatisfy(job -> {
            assertThat(job.status()).isEqualTo(InvocationStatus.RUNNING);
            assertThat(job.startedAt()).isEqualTo(now);
            assertThat(job.input()).isEqualTo("{\"n\": 1}");
        });
        assertThat(invocations.findById("job-1")).contains(claimed.get(0));
        assertThat(queue.depth()).isEqualTo(3);
    }

    @Test
    void entriesAreNotClaimedBeforeTheyAreDue() {
        Function hello = created("hello", T0);
        queue.enqueue(pending("job-1", hello, T0));

        assertThat(queue.claim(10, LEASE, T0.minusMillis(1))).isEmpty();
    }

    @Test
    void leasedEntryIsNotClaimedAgainWhileItsLeaseLasts() {
        Function hello = created("hello", T0);
        queue.enqueue(pending("job-1", hello, T0));
        Instant claimedAt = T0.plusSeconds(1);
        queue.claim(10, LEASE, claimedAt);

        assertThat(queue.claim(10, LEASE, claimedAt.plus(LEASE).minusMillis(1))).isEmpty();
    }

    @Test
    void expiredLeaseMakesAnEntryClaimableAgain() {
        Function hello = created("hello", T0);
        queue.enqueue(pending("job-1", hello, T0));
        Instant claimedAt = T0.plusSeconds(1);
        queue.claim(10, LEASE, claimedAt);
        Instant afterExpiry = claimedAt.plus(LEASE).plusMillis(1);

        List<Invocation> reclaimed = queue.claim(10, LEASE, afterExpiry);

        assertThat(reclaimed).extracting(Invocation::id).containsExactly("job-1");
        assertThat(reclaimed.get(0).startedAt()).isEqualTo(afterExpiry);
    }

    @Test
    void completingWritesTheFinalRecordAndRemovesTheEntry() {
        Function hello = created("hello", T0);
        queue.enqueue(pending("job-1", hello, T0));
        Invocation claimed = queue.claim(1, LEASE, T0.plusSeconds(1)).get(0);
        Invocation done = succeeded(claimed, T0.plusSeconds(2));

        queue.complete(done);

        assertThat(invocations.findById("job-1")).contains(done);
        assertThat(queue.depth()).isZero();
        assertThat(queue.claim(10, LEASE, T0.plus(LEASE).plusSeconds(10))).isEmpty();
    }

    @Test
    void completingAnInvocationOfADeletedFunctionWritesNothing() {
        Function hello = created("hello", T0);
        queue.enqueue(pending("job-1", hello, T0));
        Invocation claimed = queue.claim(1, LEASE, T0.plusSeconds(1)).get(0);
        functions.delete(hello.id());

        queue.complete(succeeded(claimed, T0.plusSeconds(2)));

        assertThat(invocations.findById("job-1")).isEmpty();
        assertThat(queue.depth()).isZero();
    }

    @Test
    void releasingAllLeasesMakesLeasedEntriesPendingAndClaimableAgain() {
        Function hello = created("hello", T0);
        queue.enqueue(pending("job-1", hello, T0));
        queue.enqueue(pending("job-2", hello, T0.plusSeconds(1)));
        Instant now = T0.plusSeconds(5);
        queue.claim(1, LEASE, now);

        assertThat(queue.releaseAllLeases()).isEqualTo(1);

        assertThat(invocations.findById("job-1")).contains(pending("job-1", hello, T0));
        assertThat(queue.claim(10, LEASE, now)).extracting(Invocation::id).containsExactly("job-1", "job-2");
        assertThat(queue.releaseAllLeases()).isEqualTo(2);
    }

    @Test
    void depthCountsWaitingAndLeasedEntries() {
        Function hello = created("hello", T0);
        for (int i = 0; i < 3; i++) {
            queue.enqueue(pending("job-" + i, hello, T0.plusSeconds(i)));
        }
        Invocation claimed = queue.claim(1, LEASE, T0.plusSeconds(10)).get(0);
        assertThat(queue.depth()).isEqualTo(3);

        queue.complete(succeeded(claimed, T0.plusSeconds(11)));

        assertThat(queue.depth()).isEqualTo(2);
    }

    @Test
    void concurrentClaimersNeverGetTheSameEntry() throws Exception {
        Function hello = created("hello", T0);
        int entries = 200;
        for (int i = 0; i < entries; i++) {
            queue.enqueue(pending("job-%03d".formatted(i), hello, T0.plusMillis(i)));
        }
        Collection<String> claimedIds = new ConcurrentLinkedQueue<>();
        Instant now = T0.plusSeconds(10);

        runConcurrently(() -> {
            List<Invocation> claimed;
            do {
                claimed = queue.claim(3, LEASE, now);
                claimed.forEach(job -> claimedIds.add(job.id()));
            } while (!claimed.isEmpty());
            return null;
        });

        assertThat(claimedIds).hasSize(entries).doesNotHaveDuplicates();
    }

    @Test
    void concurrentWritersAllSucceed() throws Exception {
        Function hello = created("hello", T0);
        int perThread = 20;

        runConcurrently(() -> {
            String writer = UUID.randomUUID().toString();
            List<Invocation> records = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                queue.enqueue(pending(writer + "-job-" + i, hello, T0));
                records.add(finished(writer + "-call-" + i, hello, InvocationStatus.SUCCESS, T0));
            }
            invocations.saveAll(records);
            create(function("fn-" + writer, T0, "python3.11", FunctionStatus.ACTIVE, CODE));
            return null;
        });

        assertThat(queue.depth()).isEqualTo(THREADS * perThread);
        assertThat(invocations.list(new InvocationQuery(null, null, 1000, 0))).hasSize(THREADS * perThread * 2);
        assertThat(functions.list(allFunctions())).hasSize(THREADS + 1);
    }

    // --- the database ---

    @Test
    void reopeningTheStoreKeepsEverything() {
        Function hello = created("hello", T0);
        queue.enqueue(pending("job-1", hello, T0));
        database.close();

        open();

        assertThat(functions.findById(hello.id())).contains(hello);
        assertThat(queue.claim(10, LEASE, T0.plusSeconds(1))).extracting(Invocation::id).containsExactly("job-1");
    }

    @Test
    void pingTellsWhetherTheStoreAnswers() {
        assertThat(database.ping()).isTrue();

        database.close();

        assertThat(database.ping()).isFalse();
    }

    // --- fixtures ---

    private void open() {
        database = new Database(config());
        functions = new JdbcFunctionStore(database);
        invocations = new JdbcInvocationStore(database);
        queue = new JdbcAsyncQueue(database);
        aliases = new JdbcAliasStore(database);
        webhooks = new JdbcWebhookStore(database);
    }

    /** Runs {@code task} on {@link #THREADS} threads at once and rethrows the first failure. */
    private static void runConcurrently(Callable<Void> task) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(THREADS)) {
            List<Future<Void>> results = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                results.add(threads.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            for (Future<Void> result : results) {
                result.get();
            }
        }
    }

    protected Function created(String name, Instant createdAt, String... tags) {
        return create(function(name, createdAt, "python3.11", FunctionStatus.ACTIVE, CODE, tags));
    }

    /** Creates {@code function}, whose code must be {@link #CODE}. */
    private Function create(Function function) {
        functions.create(function, CODE);
        return function;
    }

    private static Function function(String name, Instant createdAt, String runtime, FunctionStatus status,
                                     FunctionCode code, String... tags) {
        return new Function(UUID.randomUUID().toString(), name, "says \"hello\"", runtime, "main.handler", 128, 30, 10,
                Map.of("GREETING", "hello \"world\"\n\u00e9\u2713", "EMPTY", ""), List.of(tags), status, 1,
                code.hash(), createdAt, createdAt);
    }

    private static Function nextVersion(Function current, FunctionCode code, Instant at) {
        return new Function(current.id(), current.name(), "changed", current.runtime(), current.handler(), 256, 60, 5,
                Map.of("GREETING", "bye"), current.tags(), current.status(), current.version() + 1, code.hash(),
                current.createdAt(), at);
    }

    private static Function withTags(Function f, String... tags) {
        return new Function(f.id(), f.name(), f.description(), f.runtime(), f.handler(), f.memoryMb(), f.timeoutSec(),
                f.maxInstances(), f.envVars(), List.of(tags), f.status(), f.version(), f.codeHash(), f.createdAt(),
                f.updatedAt());
    }

    private static Function routed(Function f, String path, String... methods) {
        return new Function(f.id(), f.name(), f.description(), f.runtime(), f.handler(), f.memoryMb(), f.timeoutSec(),
                f.maxInstances(), f.envVars(), f.tags(), f.status(), f.version(), f.codeHash(), f.createdAt(),
                f.updatedAt(), f.sandbox(), f.pool(), f.buildLog(), new HttpRoute(path, List.of(methods)));
    }

    private static FunctionCode code(String path, String source) {
        return new FunctionCode(Map.of(path, source.getBytes(UTF_8)));
    }

    private static Invocation pending(String id, Function function, Instant createdAt) {
        return Invocation.pending(id, function, TriggerType.ASYNC, "{\"n\": 1}", createdAt);
    }

    protected static Invocation finished(String id, Function function, InvocationStatus status, Instant createdAt) {
        boolean success = status == InvocationStatus.SUCCESS;
        InvocationError error = success ? null
                : new InvocationError("FunctionError", "ValueError", "bad input", "Traceback (most recent call last):\n");
        return new Invocation(id, function.id(), function.name(), function.version(), TriggerType.HTTP, status, null,
                success ? "{\"ok\": true}" : null, error, "started\n", true, "instance-1", 42, createdAt,
                createdAt.plusMillis(5), createdAt.plusMillis(47));
    }

    private static Invocation succeeded(Invocation running, Instant completedAt) {
        return new Invocation(running.id(), running.functionId(), running.functionName(), running.functionVersion(),
                running.triggerType(), InvocationStatus.SUCCESS, running.input(), "{\"ok\": true}", null, "done\n", false,
                "instance-2", 12, running.createdAt(), running.startedAt(), completedAt);
    }

    private static FunctionQuery allFunctions() {
        return new FunctionQuery(null, null, null, null, 100, 0);
    }

    private static FunctionQuery byTag(String tag) {
        return new FunctionQuery(null, null, tag, null, 100, 0);
    }

    private static InvocationQuery allInvocations() {
        return new InvocationQuery(null, null, 100, 0);
    }
}
