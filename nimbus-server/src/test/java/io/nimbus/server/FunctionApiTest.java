package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.nimbus.server.ApiClient.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/** The function lifecycle over HTTP: create, read, list, update, delete, invocation records, health. */
class FunctionApiTest {
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static final String PY_OK = "def handler(event, context):\n    return 'ok'\n";

    private static RunningNimbus nimbus;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start(Map.of(Setting.QUEUE_TIMEOUT_MS, "200"));
        api = nimbus.client();
    }

    @AfterAll
    static void stop() {
        nimbus.close();
    }

    // ---------------------------------------------------------------- create and read

    @Test
    void createAnswers201WithTheCanonicalRuntimeTheDefaultsAndALocation() {
        String pyCode = """
                import platform
                def handler(event, context):
                    return platform.python_version()
                """;
        String nodeCode = "exports.handler = async () => process.versions.node;\n";

        Reply py = api.post("/api/v1/functions", createBody("create-py", "python", pyCode).toString());
        Reply node = api.post("/api/v1/functions", createBody("create-node", "node", nodeCode).toString());

        assertThat(py.status()).as(py.toString()).isEqualTo(201);
        assertThat(node.status()).as(node.toString()).isEqualTo(201);
        assertThat(py.json().path("runtime").asText()).isEqualTo("python3.11");
        assertThat(node.json().path("runtime").asText()).isEqualTo("nodejs20");
        for (Reply reply : List.of(py, node)) {
            JsonNode f = reply.json();
            assertThat(f.path("id").asText()).matches(UUID);
            assertThat(reply.header("Location")).isEqualTo("/api/v1/functions/" + f.path("id").asText());
            assertThat(f.path("version").asInt()).isEqualTo(1);
            assertThat(f.path("code_hash").asText()).matches("[0-9a-f]{64}");
            assertThat(f.path("status").asText()).isEqualTo("active");
            assertThat(f.path("handler").asText()).isEqualTo("main.handler");
            assertThat(f.path("memory_mb").asInt()).isEqualTo(256);
            assertThat(f.path("timeout_sec").asInt()).isEqualTo(30);
            assertThat(f.path("max_instances").asInt()).isEqualTo(10);
            assertThat(f.path("description").asText()).isEmpty();
            assertThat(f.path("env_vars").isObject()).isTrue();
            assertThat(f.path("env_vars").size()).isZero();
            assertThat(f.path("tags").isArray()).isTrue();
            assertThat(f.path("tags").size()).isZero();
            Instant created = Instant.parse(f.path("created_at").asText());
            assertThat(Instant.parse(f.path("updated_at").asText())).isEqualTo(created);
            // the Location answers with the function just created
            Reply located = api.get(reply.header("Location"));
            assertThat(located.status()).isEqualTo(200);
            assertThat(located.json()).isEqualTo(f);
        }
        assertThat(py.json().path("name").asText()).isEqualTo("create-py");
        assertThat(node.json().path("name").asText()).isEqualTo("create-node");
        assertThat(py.json().path("code_hash").asText()).isNotEqualTo(node.json().path("code_hash").asText());

        // runtime_version is the version of the interpreter that actually runs the function
        Reply pyVersion = api.invoke("create-py", "{}");
        Reply nodeVersion = api.invoke("create-node", "{}");
        assertThat(pyVersion.status()).as(pyVersion.toString()).isEqualTo(200);
        assertThat(nodeVersion.status()).as(nodeVersion.toString()).isEqualTo(200);
        assertThat(py.json().path("runtime_version").asText()).isNotBlank()
                .isEqualTo(pyVersion.json().asText());
        assertThat(node.json().path("runtime_version").asText()).isNotBlank()
                .isEqualTo(nodeVersion.json().asText());
    }

    @Test
    void theSameCodeHasTheSameHashAndDifferentCodeADifferentOne() {
        JsonNode first = api.createFunction("hash-a", "python3.11", PY_OK);
        JsonNode same = api.createFunction("hash-b", "python", PY_OK);
        JsonNode other = api.createFunction("hash-c", "python", PY_OK + "# changed\n");

        assertThat(same.path("code_hash").asText()).isEqualTo(first.path("code_hash").asText());
        assertThat(other.path("code_hash").asText()).isNotEqualTo(first.path("code_hash").asText());
    }

    @Test
    void getByIdAndByNameReturnTheSameFunction() {
        JsonNode created = api.createFunction("get-both", "python", PY_OK,
                Map.of("description", "fetch me", "tags", List.of("get-both"), "env_vars", Map.of("K", "v"),
                        "memory_mb", 128, "timeout_sec", 7, "max_instances", 3));

        Reply byId = api.get("/api/v1/functions/" + created.path("id").asText());
        Reply byName = api.get("/api/v1/functions/get-both");

        assertThat(byId.status()).isEqualTo(200);
        assertThat(byName.status()).isEqualTo(200);
        assertThat(byId.json()).isEqualTo(created);
        assertThat(byName.json()).isEqualTo(created);
        assertThat(created.path("description").asText()).isEqualTo("fetch me");
        assertThat(created.path("env_vars").path("K").asText()).isEqualTo("v");
        assertThat(created.path("memory_mb").asInt()).isEqualTo(128);
        assertThat(created.path("timeout_sec").asInt()).isEqualTo(7);
        assertThat(created.path("max_instances").asInt()).isEqualTo(3);
        assertThat(names(created.path("tags"))).containsExactly("get-both");
    }

    @Test
    void getOfAnUnknownFunctionIs404ByNameAndById() {
        Reply byName = api.get("/api/v1/functions/never-created");
        Reply byId = api.get("/api/v1/functions/00000000-0000-4000-8000-000000000000");

        assertThat(byName.status()).isEqualTo(404);
        assertThat(byName.error().path("code").asText()).isEqualTo("NotFound");
        assertThat(byId.status()).isEqualTo(404);
        assertThat(byId.error().path("code").asText()).isEqualTo("NotFound");
    }

    @Test
    void listFiltersByNameRuntimeAliasTagAndStatusAndPagesWithLimitAndOffset() {
        String all = "list-all";
        String odd = "list-odd";
        api.createFunction("list-p1", "python", PY_OK, Map.of("tags", List.of(all, odd)));
        api.createFunction("list-n1", "node", "exports.handler = async () => 1;\n", Map.of("tags", List.of(all)));
        api.createFunction("list-p2", "python3.11", PY_OK, Map.of("tags", List.of(all, odd)));
        api.createFunction("list-n2", "nodejs20", "exports.handler = async () => 2;\n", Map.of("tags", List.of(all)));
        api.createFunction("list-p3", "python", PY_OK, Map.of("tags", List.of(all, odd)));
        api.createFunction("list-other", "python", PY_OK, Map.of("tags", List.of("list-elsewhere")));

        List<String> tagged = listNames("tag=" + all);
        assertThat(tagged).containsExactlyInAnyOrder("list-p1", "list-n1", "list-p2", "list-n2", "list-p3");
        assertThat(listNames("tag=" + odd)).containsExactlyInAnyOrder("list-p1", "list-p2", "list-p3");
        assertThat(listNames("tag=" + all + "&runtime=python")).containsExactlyInAnyOrder("list-p1", "list-p2", "list-p3");
        assertThat(listNames("tag=" + all + "&runtime=python3.11")).containsExactlyInAnyOrder("list-p1", "list-p2", "list-p3");
        assertThat(listNames("tag=" + all + "&runtime=node")).containsExactlyInAnyOrder("list-n1", "list-n2");
        assertThat(listNames("tag=" + all + "&runtime=nodejs20")).containsExactlyInAnyOrder("list-n1", "list-n2");
        assertThat(listNames("name=list-n2")).containsExactly("list-n2");
        assertThat(listNames("name=list-n2&tag=" + odd)).isEmpty();
        assertThat(listNames("tag=" + all + "&status=active")).containsExactlyInAnyOrderElementsOf(tagged);
        assertThat(listNames("tag=" + all + "&status=inactive")).isEmpty();
        assertThat(listNames("tag=no-function-has-this-tag")).isEmpty();
        assertThat(listNames("runtime=python&limit=1000")).contains("list-p1", "list-other").doesNotContain("list-n1");

        // newest first
        List<Instant> createdAt = new ArrayList<>();
        for (JsonNode f : api.get("/api/v1/functions?tag=" + all).json().path("functions")) {
            createdAt.add(Instant.parse(f.path("created_at").asText()));
        }
        for (int i = 1; i < createdAt.size(); i++) {
            assertThat(createdAt.get(i)).isBeforeOrEqualTo(createdAt.get(i - 1));
        }

        // pages of two cover the whole list once, in the same order
        Reply firstPage = api.get("/api/v1/functions?tag=" + all + "&limit=2&offset=0");
        assertThat(firstPage.json().path("limit").asInt()).isEqualTo(2);
        assertThat(firstPage.json().path("offset").asInt()).isEqualTo(0);
        List<String> paged = new ArrayList<>(names(firstPage.json().path("functions"), "name"));
        List<String> second = listNames("tag=" + all + "&limit=2&offset=2");
        List<String> third = listNames("tag=" + all + "&limit=2&offset=4");
        assertThat(paged).hasSize(2);
        assertThat(second).hasSize(2);
        assertThat(third).hasSize(1);
        paged.addAll(second);
        paged.addAll(third);
        assertThat(paged).containsExactlyElementsOf(tagged);
        assertThat(listNames("tag=" + all + "&limit=2&offset=6")).isEmpty();
    }

    // ---------------------------------------------------------------- multi-file functions

    @Test
    void aMultiFilePythonPackageDeploysAndInvokes() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("main.py", b64("""
                import os
                from lib import double
                from lib.util import PREFIX
                def handler(event, context):
                    with open(os.path.join(os.path.dirname(__file__), 'data', 'greeting.txt')) as f:
                        greeting = f.read().strip()
                    return {'doubled': double(event['x']), 'prefix': PREFIX, 'greeting': greeting}
                """));
        files.put("lib/__init__.py", b64("from .util import double\n"));
        files.put("lib/util.py", b64("PREFIX = 'util'\ndef double(x):\n    return 2 * x\n"));
        files.put("data/greeting.txt", b64("hello from a file\n"));
        ObjectNode body = JSON.createObjectNode().put("name", "multi-py").put("runtime", "python").put("handler", "main.handler");
        body.set("files", JSON.valueToTree(files));

        Reply created = api.post("/api/v1/functions", body.toString());
        Reply invoked = api.invoke("multi-py", "{\"x\": 21}");

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(invoked.status()).as(invoked.toString()).isEqualTo(200);
        assertThat(invoked.json().path("doubled").asInt()).isEqualTo(42);
        assertThat(invoked.json().path("prefix").asText()).isEqualTo("util");
        assertThat(invoked.json().path("greeting").asText()).isEqualTo("hello from a file");
    }

    @Test
    void aMultiFileNodeFunctionRequiresItsOwnModules() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("main.js", b64("""
                const util = require('./lib/util.js');
                const { name } = require('./lib/nested/name');
                exports.handler = async (event) => ({ tripled: util.triple(event.x), name });
                """));
        files.put("lib/util.js", b64("exports.triple = (x) => 3 * x;\n"));
        files.put("lib/nested/name.js", b64("exports.name = 'nested';\n"));
        ObjectNode body = JSON.createObjectNode().put("name", "multi-node").put("runtime", "node").put("handler", "main.handler");
        body.set("files", JSON.valueToTree(files));

        Reply created = api.post("/api/v1/functions", body.toString());
        Reply invoked = api.invoke("multi-node", "{\"x\": 5}");

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(invoked.status()).as(invoked.toString()).isEqualTo(200);
        assertThat(invoked.json().path("tripled").asInt()).isEqualTo(15);
        assertThat(invoked.json().path("name").asText()).isEqualTo("nested");
    }

    @Test
    void aHandlerInASubPackageIsFoundAmongTheFiles() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("app/__init__.py", b64(""));
        files.put("app/entry.py", b64("def run(event, context):\n    return 'from app.entry'\n"));
        ObjectNode body = JSON.createObjectNode().put("name", "multi-sub").put("runtime", "python")
                .put("handler", "app.entry.run");
        body.set("files", JSON.valueToTree(files));

        Reply created = api.post("/api/v1/functions", body.toString());
        Reply invoked = api.invoke("multi-sub", "{}");

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(invoked.status()).as(invoked.toString()).isEqualTo(200);
        assertThat(invoked.json().asText()).isEqualTo("from app.entry");
    }

    // ---------------------------------------------------------------- update

    @Test
    void updateCreatesTheNextVersionAndNoLaterInvocationRunsTheOldCode() throws Exception {
        String v1 = """
                import time
                def handler(event, context):
                    time.sleep(event.get('sleep', 0))
                    return 'v1'
                """;
        JsonNode created = api.createFunction("upd-code", "python", v1);
        // several warm instances of version 1, idle when the update arrives
        List<Thread> warmers = new ArrayList<>();
        List<Reply> warm = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 3; i++) {
            warmers.add(Thread.ofVirtual().start(() -> warm.add(api.invoke("upd-code", "{\"sleep\": 0.3}"))));
        }
        for (Thread warmer : warmers) {
            warmer.join();
        }
        assertThat(warm).extracting(r -> r.body()).containsOnly("\"v1\"");

        Reply updated = api.put("/api/v1/functions/upd-code", JSON.createObjectNode()
                .put("code", "def handler(event, context):\n    return 'v2'\n").toString());

        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        JsonNode next = updated.json();
        assertThat(next.path("id").asText()).isEqualTo(created.path("id").asText());
        assertThat(next.path("version").asInt()).isEqualTo(2);
        assertThat(next.path("code_hash").asText()).matches("[0-9a-f]{64}").isNotEqualTo(created.path("code_hash").asText());
        assertThat(next.path("created_at").asText()).isEqualTo(created.path("created_at").asText());
        assertThat(Instant.parse(next.path("updated_at").asText()))
                .isAfter(Instant.parse(created.path("updated_at").asText()));
        assertThat(api.get("/api/v1/functions/upd-code").json()).isEqualTo(next);
        for (int i = 0; i < 20; i++) {
            Reply reply = api.invoke("upd-code", "{}");
            assertThat(reply.status()).as("invocation %d: %s", i, reply).isEqualTo(200);
            assertThat(reply.body()).as("invocation %d", i).isEqualTo("\"v2\"");
            assertThat(reply.header("X-Nimbus-Function-Version")).isEqualTo("2");
        }
        String lastId = api.invoke("upd-code", "{}").header("X-Nimbus-Invocation-Id");
        assertThat(api.get("/api/v1/invocations/" + lastId).json().path("function_version").asInt()).isEqualTo(2);
    }

    @Test
    void updateOfOnlyMemoryKeepsTheCodeAndItsHashButMakesTheNextVersion() {
        JsonNode created = api.createFunction("upd-memory", "python",
                "def handler(event, context):\n    return {'memory': context.memory_limit_mb, 'code': 'original'}\n",
                Map.of("timeout_sec", 9, "tags", List.of("upd-memory"), "description", "kept"));
        assertThat(api.invoke("upd-memory", "{}").json().path("memory").asInt()).isEqualTo(256);

        Reply updated = api.put("/api/v1/functions/upd-memory", "{\"memory_mb\": 512}");

        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        JsonNode next = updated.json();
        assertThat(next.path("version").asInt()).isEqualTo(2);
        assertThat(next.path("code_hash").asText()).isEqualTo(created.path("code_hash").asText());
        assertThat(next.path("memory_mb").asInt()).isEqualTo(512);
        assertThat(next.path("timeout_sec").asInt()).isEqualTo(9);
        assertThat(next.path("handler").asText()).isEqualTo("main.handler");
        assertThat(next.path("runtime").asText()).isEqualTo("python3.11");
        assertThat(next.path("description").asText()).isEqualTo("kept");
        assertThat(names(next.path("tags"))).containsExactly("upd-memory");
        assertThat(next.path("created_at").asText()).isEqualTo(created.path("created_at").asText());
        Reply invoked = api.invoke("upd-memory", "{}");
        assertThat(invoked.json().path("code").asText()).isEqualTo("original");
        assertThat(invoked.json().path("memory").asInt()).isEqualTo(512);
        assertThat(invoked.header("X-Nimbus-Function-Version")).isEqualTo("2");
    }

    @Test
    void updateOfAnUnknownFunctionIs404AndCreatesNothing() {
        Reply byName = api.put("/api/v1/functions/upd-never-created", "{\"memory_mb\": 512}");
        Reply byId = api.put("/api/v1/functions/00000000-0000-4000-8000-000000000001",
                "{\"code\": \"def handler(e, c):\\n    return 1\\n\"}");

        assertThat(byName.status()).isEqualTo(404);
        assertThat(byName.error().path("code").asText()).isEqualTo("NotFound");
        assertThat(byId.status()).isEqualTo(404);
        assertThat(byId.error().path("code").asText()).isEqualTo("NotFound");
        assertThat(api.get("/api/v1/functions/upd-never-created").status()).isEqualTo(404);
    }

    // ---------------------------------------------------------------- delete

    @Test
    void deleteRemovesTheFunctionAndEveryRecordOfItsInvocations() {
        JsonNode created = api.createFunction("del-me", "python", PY_OK, Map.of("tags", List.of("del-me")));
        String id = created.path("id").asText();
        String firstInvocation = api.invoke("del-me", "{}").header("X-Nimbus-Invocation-Id");
        String secondInvocation = api.invoke("del-me", "{}").header("X-Nimbus-Invocation-Id");
        assertThat(api.get("/api/v1/invocations/" + firstInvocation).status()).isEqualTo(200);

        Reply deleted = api.delete("/api/v1/functions/del-me");

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertThat(api.get("/api/v1/functions/del-me").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/functions/" + id).status()).isEqualTo(404);
        Reply invoked = api.invoke("del-me", "{}");
        assertThat(invoked.status()).isEqualTo(404);
        assertThat(invoked.error().path("code").asText()).isEqualTo("NotFound");
        assertThat(api.invoke(id, "{}").status()).isEqualTo(404);
        assertThat(listNames("tag=del-me")).isEmpty();
        assertThat(listNames("name=del-me")).isEmpty();
        assertThat(listNames("limit=1000")).doesNotContain("del-me");
        assertThat(api.get("/api/v1/invocations/" + firstInvocation).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/invocations/" + secondInvocation).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/functions/del-me/invocations").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/invocations?function=del-me").status()).isEqualTo(404);
        for (JsonNode record : api.get("/api/v1/invocations?limit=1000").json().path("invocations")) {
            assertThat(record.path("function_id").asText()).isNotEqualTo(id);
        }
        Reply again = api.delete("/api/v1/functions/del-me");
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.error().path("code").asText()).isEqualTo("NotFound");
    }

    @Test
    void aNameIsFreeAgainAfterDeleteAndTheNewFunctionStartsAfresh() {
        JsonNode old = api.createFunction("del-reuse", "python", "def handler(event, context):\n    return 'old'\n");
        api.invoke("del-reuse", "{}");
        assertThat(api.delete("/api/v1/functions/del-reuse").status()).isEqualTo(204);

        JsonNode fresh = api.createFunction("del-reuse", "node", "exports.handler = async () => 'new';\n");

        assertThat(fresh.path("id").asText()).isNotEqualTo(old.path("id").asText());
        assertThat(fresh.path("version").asInt()).isEqualTo(1);
        assertThat(api.invoke("del-reuse", "{}").body()).isEqualTo("\"new\"");
        JsonNode records = api.get("/api/v1/functions/del-reuse/invocations").json().path("invocations");
        assertThat(records).hasSize(1);
        assertThat(records.get(0).path("function_id").asText()).isEqualTo(fresh.path("id").asText());
    }

    @Test
    void anInvocationInFlightWhenTheFunctionIsDeletedStillCompletes() throws Exception {
        // the module takes a while to load, so the invocation is still starting its instance when DELETE arrives
        api.createFunction("del-in-flight", "python", """
                import time
                time.sleep(1.5)
                def handler(event, context):
                    return 'finished'
                """);
        AtomicReference<Reply> slow = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> slow.set(api.invoke("del-in-flight", "{}")));
        Reply health = api.await("/health", r -> InvokeTest.busyInstances(r, "del-in-flight") == 1, Duration.ofSeconds(20));
        assertThat(InvokeTest.busyInstances(health, "del-in-flight")).as("the invocation holds an instance").isEqualTo(1);

        Reply deleted = api.delete("/api/v1/functions/del-in-flight");
        caller.join();

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(slow.get().status()).as(String.valueOf(slow.get())).isEqualTo(200);
        assertThat(slow.get().body()).isEqualTo("\"finished\"");
        assertDeletedAndItsPoolGone("del-in-flight");
    }

    @Test
    void anInvocationWhoseHandlerIsRunningWhenTheFunctionIsDeletedStillCompletes() throws Exception {
        api.createFunction("del-running", "python", """
                import time
                def handler(event, context):
                    time.sleep(event.get('sleep', 0))
                    return 'finished'
                """);
        assertThat(api.invoke("del-running", "{}").status()).as("a warm instance, so busy means running").isEqualTo(200);
        AtomicReference<Reply> slow = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> slow.set(api.invoke("del-running", "{\"sleep\": 1.5}")));
        Reply health = api.await("/health", r -> InvokeTest.busyInstances(r, "del-running") == 1, Duration.ofSeconds(10));
        assertThat(InvokeTest.busyInstances(health, "del-running")).as("the handler is running").isEqualTo(1);

        Reply deleted = api.delete("/api/v1/functions/del-running");
        caller.join();

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(slow.get().status()).as(String.valueOf(slow.get())).isEqualTo(200);
        assertThat(slow.get().body()).isEqualTo("\"finished\"");
        assertDeletedAndItsPoolGone("del-running");
    }

    private static void assertDeletedAndItsPoolGone(String name) {
        assertThat(api.get("/api/v1/functions/" + name).status()).isEqualTo(404);
        assertThat(api.invoke(name, "{}").status()).isEqualTo(404);
        for (JsonNode pool : api.get("/health").json().path("pools")) {
            assertThat(pool.path("function_name").asText()).isNotEqualTo(name);
        }
    }

    // ---------------------------------------------------------------- invocation records

    @Test
    void invocationsAreListedNewestFirstPagedAndFilteredByStatus() {
        api.createFunction("inv-list", "python", """
                import time
                def handler(event, context):
                    time.sleep(0.005)
                    if event['fail']:
                        raise RuntimeError('failure %d' % event['i'])
                    return event['i']
                """);
        api.createFunction("inv-list-other", "python", PY_OK);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Reply reply = api.invoke("inv-list", "{\"i\": " + i + ", \"fail\": " + (i % 2 == 1) + "}");
            assertThat(reply.status()).as(reply.toString()).isEqualTo(i % 2 == 1 ? 502 : 200);
            ids.add(reply.header("X-Nimbus-Invocation-Id"));
            api.invoke("inv-list-other", "{}");
        }
        List<String> newestFirst = ids.reversed();
        List<String> failedNewestFirst = List.of(ids.get(5), ids.get(3), ids.get(1));
        List<String> succeededNewestFirst = List.of(ids.get(4), ids.get(2), ids.get(0));

        Reply all = api.get("/api/v1/functions/inv-list/invocations");
        assertThat(all.status()).isEqualTo(200);
        assertThat(names(all.json().path("invocations"), "id")).containsExactlyElementsOf(newestFirst);
        assertThat(names(all.json().path("invocations"), "function_name")).containsOnly("inv-list");
        assertThat(invocationIds("/api/v1/functions/inv-list/invocations?limit=4&offset=0")).containsExactlyElementsOf(newestFirst.subList(0, 4));
        assertThat(invocationIds("/api/v1/functions/inv-list/invocations?limit=4&offset=4")).containsExactlyElementsOf(newestFirst.subList(4, 6));
        assertThat(invocationIds("/api/v1/functions/inv-list/invocations?limit=2&offset=2")).containsExactlyElementsOf(newestFirst.subList(2, 4));
        assertThat(invocationIds("/api/v1/functions/inv-list/invocations?status=failed")).containsExactlyElementsOf(failedNewestFirst);

        Reply failed = api.get("/api/v1/invocations?function=inv-list&status=failed");
        assertThat(failed.status()).isEqualTo(200);
        assertThat(names(failed.json().path("invocations"), "id")).containsExactlyElementsOf(failedNewestFirst);
        assertThat(names(failed.json().path("invocations"), "status")).containsOnly("failed");
        assertThat(invocationIds("/api/v1/invocations?function=inv-list&status=success")).containsExactlyElementsOf(succeededNewestFirst);
        assertThat(invocationIds("/api/v1/invocations?function=inv-list&status=failed&limit=1&offset=1")).containsExactly(ids.get(3));
        assertThat(invocationIds("/api/v1/invocations?function=inv-list&status=timeout")).isEmpty();
        JsonNode page = api.get("/api/v1/invocations?function=inv-list&limit=3&offset=1").json();
        assertThat(page.path("limit").asInt()).isEqualTo(3);
        assertThat(page.path("offset").asInt()).isEqualTo(1);
        assertThat(names(page.path("invocations"), "id")).containsExactlyElementsOf(newestFirst.subList(1, 4));
        // by id as well as by name
        String functionId = api.get("/api/v1/functions/inv-list").json().path("id").asText();
        assertThat(invocationIds("/api/v1/invocations?function=" + functionId)).containsExactlyElementsOf(newestFirst);
        // without a function filter, both functions' records appear
        List<String> everything = invocationIds("/api/v1/invocations?limit=1000");
        assertThat(everything).containsAll(ids);
        assertThat(invocationIds("/api/v1/invocations?function=inv-list-other")).hasSize(6).doesNotContainAnyElementsOf(ids);
    }

    @Test
    void anInvocationRecordCarriesItsStatusOutputErrorLogsAndTimes() {
        api.createFunction("inv-record", "python", """
                def handler(event, context):
                    print('log line', event['n'])
                    if event.get('fail'):
                        raise ValueError('it went wrong')
                    return {'n': event['n']}
                """);
        Reply first = api.invoke("inv-record", "{\"n\": 1}");
        Reply second = api.invoke("inv-record", "{\"n\": 2}");
        Reply failing = api.invoke("inv-record", "{\"n\": 3, \"fail\": true}");

        JsonNode ok = api.get("/api/v1/invocations/" + first.header("X-Nimbus-Invocation-Id")).json();
        JsonNode warm = api.get("/api/v1/invocations/" + second.header("X-Nimbus-Invocation-Id")).json();
        Reply failedReply = api.get("/api/v1/invocations/" + failing.header("X-Nimbus-Invocation-Id"));
        JsonNode failed = failedReply.json();

        assertThat(failedReply.status()).isEqualTo(200);
        String functionId = api.get("/api/v1/functions/inv-record").json().path("id").asText();
        assertThat(ok.path("id").asText()).isEqualTo(first.header("X-Nimbus-Invocation-Id"));
        assertThat(ok.path("function_id").asText()).isEqualTo(functionId);
        assertThat(ok.path("function_name").asText()).isEqualTo("inv-record");
        assertThat(ok.path("function_version").asInt()).isEqualTo(1);
        assertThat(ok.path("status").asText()).isEqualTo("success");
        assertThat(ok.path("output").path("n").asInt()).isEqualTo(1);
        assertThat(ok.has("error")).isTrue();
        assertThat(ok.path("error").isNull()).isTrue();
        assertThat(ok.path("logs").asText()).contains("log line 1");
        assertThat(ok.path("duration_ms").isIntegralNumber()).isTrue();
        assertThat(ok.path("duration_ms").asLong()).isNotNegative();
        assertThat(ok.path("cold_start").isBoolean()).isTrue();
        assertThat(ok.path("cold_start").asBoolean()).isTrue();
        assertThat(warm.path("cold_start").asBoolean()).isFalse();
        assertThat(warm.path("logs").asText()).contains("log line 2").doesNotContain("log line 1");
        for (JsonNode record : List.of(ok, warm, failed)) {
            assertThat(record.path("trigger_type").asText()).isEqualTo("http");
            Instant started = Instant.parse(record.path("started_at").asText());
            Instant completed = Instant.parse(record.path("completed_at").asText());
            Instant createdAt = Instant.parse(record.path("created_at").asText());
            assertThat(completed).isAfterOrEqualTo(started);
            assertThat(started).isAfterOrEqualTo(createdAt);
        }
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("output").isNull()).isTrue();
        assertThat(failed.path("error").path("code").asText()).isEqualTo("FunctionError");
        assertThat(failed.path("error").path("type").asText()).isEqualTo("ValueError");
        assertThat(failed.path("error").path("message").asText()).contains("it went wrong");
        assertThat(failed.path("error").path("stack_trace").asText()).contains("main.py");
        assertThat(failed.path("logs").asText()).contains("log line 3");
    }

    @Test
    void anUnknownInvocationIs404() {
        Reply reply = api.get("/api/v1/invocations/00000000-0000-4000-8000-000000000002");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.error().path("code").asText()).isEqualTo("NotFound");
    }

    // ---------------------------------------------------------------- health, runtimes, routes

    @Test
    void healthReportsTheStoreTheRuntimesAndTheSandboxBackends() {
        Reply health = api.get("/health");
        Reply live = api.get("/health/live");
        Reply ready = api.get("/health/ready");

        assertThat(health.status()).isEqualTo(200);
        JsonNode body = health.json();
        assertThat(body.path("status").asText()).isEqualTo("UP");
        assertThat(body.path("store").path("kind").asText()).isEqualTo("sqlite");
        assertThat(body.path("store").path("status").asText()).isEqualTo("UP");
        assertThat(body.path("sandbox").path("backend").asText()).isEqualTo("namespace");
        assertThat(body.path("sandbox").has("warning")).isFalse();
        assertThat(body.path("sandbox").path("backends").path("namespace").path("available").asBoolean()).isTrue();
        assertThat(body.path("sandbox").path("backends").path("process").path("available").asBoolean())
                .as("unconfined functions only where the operator allows them").isFalse();
        assertThat(body.path("pools").isArray()).isTrue();
        Map<String, JsonNode> runtimes = runtimesById(body.path("runtimes"));
        assertThat(runtimes).containsKeys("python3.11", "nodejs20");
        for (JsonNode runtime : runtimes.values()) {
            assertThat(runtime.path("available").asBoolean()).as(runtime.toString()).isTrue();
            assertThat(runtime.path("version").asText()).as(runtime.toString()).isNotBlank();
        }
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.json().path("status").asText()).isEqualTo("UP");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().path("status").asText()).isEqualTo("UP");
    }

    @Test
    void runtimesListsPythonAndNodeWithTheirAliasesAmongTheOthers() {
        Reply reply = api.get("/api/v1/runtimes");

        assertThat(reply.status()).isEqualTo(200);
        Map<String, JsonNode> runtimes = runtimesById(reply.json().path("runtimes"));
        assertThat(runtimes).containsKeys("python3.11", "nodejs20", "wasm", "rust-wasm", "c-wasm");
        assertThat(names(runtimes.get("python3.11").path("aliases"))).contains("python");
        assertThat(names(runtimes.get("nodejs20").path("aliases"))).contains("node");
        assertThat(runtimes.get("python3.11").path("available").asBoolean()).isTrue();
        assertThat(runtimes.get("nodejs20").path("available").asBoolean()).isTrue();
        assertThat(runtimes.get("python3.11").path("version").asText())
                .isEqualTo(runtimesById(api.get("/health").json().path("runtimes")).get("python3.11").path("version").asText());
    }

    @Test
    void anUnknownRouteAnswers404InTheErrorShape() {
        for (Reply reply : List.of(api.get("/api/v1/nothing-here"), api.get("/no/such/route"),
                api.post("/api/v1/functions/x/y/z", "{}"), api.delete("/api/v1/functions"))) {
            assertThat(reply.status()).as(reply.toString()).isEqualTo(404);
            assertThat(reply.header("Content-Type")).startsWith("application/json");
            assertThat(reply.error().path("code").asText()).isEqualTo("NotFound");
            assertThat(reply.error().path("message").asText()).isNotBlank();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static ObjectNode createBody(String name, String runtime, String code) {
        return JSON.createObjectNode().put("name", name).put("runtime", runtime).put("handler", "main.handler")
                .put("code", code);
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> listNames(String query) {
        Reply reply = api.get("/api/v1/functions?" + query);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return names(reply.json().path("functions"), "name");
    }

    private static List<String> invocationIds(String path) {
        Reply reply = api.get(path);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return names(reply.json().path("invocations"), "id");
    }

    private static List<String> names(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.path(field).asText()));
        return values;
    }

    private static List<String> names(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    private static Map<String, JsonNode> runtimesById(JsonNode array) {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        array.forEach(runtime -> byId.put(runtime.path("id").asText(), runtime));
        return byId;
    }
}
