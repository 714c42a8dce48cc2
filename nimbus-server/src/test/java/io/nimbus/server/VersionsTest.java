package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Versions, rollback, qualifiers and aliases with canary routing, through the API. */
class VersionsTest {
    private static RunningNimbus nimbus;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start(Map.of(Setting.VERSION_RETENTION, "3"));
        api = nimbus.client();
    }

    @AfterAll
    static void stop() {
        nimbus.close();
    }

    private static String returning(int value) {
        return "def handler(event, context):\n    return " + value + "\n";
    }

    /** A function at version {@code versions}, where version n returns n. */
    private static void publish(String name, int versions) {
        api.createFunction(name, "python", returning(1), Map.of("memory_mb", 128));
        for (int v = 2; v <= versions; v++) {
            Reply updated = api.put("/api/v1/functions/" + name,
                    "{\"code\": " + ApiClient.JSON.valueToTree(returning(v)) + ", \"memory_mb\": " + (128 + v) + "}");
            assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        }
    }

    // ---------------------------------------------------------------- versions

    @Test
    void everyVersionIsListedNewestFirstWithTheConfigurationItWasPublishedWith() {
        publish("listed", 2);

        JsonNode versions = api.get("/api/v1/functions/listed/versions").json().path("versions");
        Reply first = api.get("/api/v1/functions/listed/versions/1");

        assertThat(versions).extracting(v -> v.path("version").asInt()).containsExactly(2, 1);
        assertThat(versions.get(0).path("memory_mb").asInt()).isEqualTo(130);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().path("memory_mb").asInt()).isEqualTo(128);
        assertThat(first.json().path("code_hash").asText()).isEqualTo(versions.get(1).path("code_hash").asText());
    }

    @Test
    void anOldVersionRunsWhenNamedByQualifierOrVersionParameterAndTheRecordSaysWhichServed() {
        publish("qualified", 2);

        Reply byQualifier = api.invoke("qualified:1", "{}");
        Reply byParameter = api.post("/api/v1/functions/qualified/invoke?version=1", "{}");
        Reply latest = api.invoke("qualified", "{}");

        assertThat(byQualifier.body()).isEqualTo("1");
        assertThat(byQualifier.header("X-Nimbus-Function-Version")).isEqualTo("1");
        assertThat(byParameter.body()).isEqualTo("1");
        assertThat(latest.body()).isEqualTo("2");
        Reply record = api.await("/api/v1/invocations/" + byQualifier.header("X-Nimbus-Invocation-Id"),
                r -> r.status() == 200, Duration.ofSeconds(10));
        assertThat(record.json().path("function_version").asInt()).isEqualTo(1);
    }

    @Test
    void rollbackPublishesANewVersionWithTheOldVersionsCodeAndConfiguration() {
        publish("rolled", 2);

        Reply rollback = api.post("/api/v1/functions/rolled/versions/1/rollback", "");

        assertThat(rollback.status()).as(rollback.toString()).isEqualTo(201);
        assertThat(rollback.json().path("version").asInt()).isEqualTo(3);
        assertThat(rollback.json().path("memory_mb").asInt()).isEqualTo(128);
        assertThat(api.invoke("rolled", "{}").body()).isEqualTo("1");
        assertThat(api.get("/api/v1/functions/rolled").json().path("version").asInt()).isEqualTo(3);
    }

    @Test
    void anUnknownVersionAnswers404AndAMalformedOne400NamingTheField() {
        publish("unknown-version", 1);

        assertThat(api.get("/api/v1/functions/unknown-version/versions/9").status()).isEqualTo(404);
        assertThat(api.invoke("unknown-version:9", "{}").status()).isEqualTo(404);
        assertThat(api.post("/api/v1/functions/unknown-version/versions/9/rollback", "").status()).isEqualTo(404);
        Reply malformed = api.post("/api/v1/functions/unknown-version/invoke?version=abc", "{}");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.error().path("field").asText()).isEqualTo("version");
    }

    @Test
    void versionsPastTheRetentionAreDeletedButNotThoseAnAliasPointsAt() {
        publish("retained", 1);
        assertThat(api.post("/api/v1/functions/retained/aliases", "{\"name\": \"stable\", \"version\": 1}").status())
                .isEqualTo(201);
        for (int v = 2; v <= 6; v++) {
            api.put("/api/v1/functions/retained", "{\"code\": " + ApiClient.JSON.valueToTree(returning(v)) + "}");
        }

        JsonNode versions = api.get("/api/v1/functions/retained/versions").json().path("versions");

        assertThat(versions).extracting(v -> v.path("version").asInt()).containsExactly(6, 5, 4, 1);
        assertThat(api.invoke("retained:2", "{}").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/functions/retained/versions/3").status()).isEqualTo(404);
        assertThat(api.invoke("retained:stable", "{}").body()).isEqualTo("1");
    }

    // ---------------------------------------------------------------- aliases

    @Test
    void anAliasIsCreatedListedReadReplacedAndDeleted() {
        publish("aliased", 2);

        Reply created = api.post("/api/v1/functions/aliased/aliases", "{\"name\": \"prod\", \"version\": 1}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/api/v1/functions/aliased/aliases/prod");
        assertThat(api.invoke("aliased:prod", "{}").body()).isEqualTo("1");

        Reply replaced = api.put("/api/v1/functions/aliased/aliases/prod",
                "{\"version\": 2, \"additional_version\": 1, \"weight\": 0.5}");
        assertThat(replaced.status()).as(replaced.toString()).isEqualTo(200);
        assertThat(replaced.json().path("version").asInt()).isEqualTo(2);
        assertThat(replaced.json().path("additional_version").asInt()).isEqualTo(1);
        assertThat(replaced.json().path("weight").asDouble()).isEqualTo(0.5);
        assertThat(api.get("/api/v1/functions/aliased/aliases").json().path("aliases"))
                .extracting(a -> a.path("name").asText()).containsExactly("prod");
        assertThat(api.get("/api/v1/functions/aliased/aliases/prod").json().path("version").asInt()).isEqualTo(2);

        assertThat(api.delete("/api/v1/functions/aliased/aliases/prod").status()).isEqualTo(204);
        assertThat(api.get("/api/v1/functions/aliased/aliases/prod").status()).isEqualTo(404);
        assertThat(api.invoke("aliased:prod", "{}").status()).isEqualTo(404);
    }

    @Test
    void aCanaryAtWeightPoint2ServesAboutAFifthOfTheCallsAndEachCallSaysWhichVersionServed() {
        publish("canary", 2);
        api.post("/api/v1/functions/canary/aliases",
                "{\"name\": \"live\", \"version\": 1, \"additional_version\": 2, \"weight\": 0.2}");

        int onCanary = 0;
        for (int i = 0; i < 1_000; i++) {
            Reply reply = api.invoke("canary:live", "{}");
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            assertThat(reply.header("X-Nimbus-Function-Version")).isEqualTo(reply.body());
            if (reply.body().equals("2")) {
                onCanary++;
            }
        }

        assertThat(onCanary).isBetween(150, 250);
    }

    @Test
    void badAliasesAreRefusedWith400NamingTheField() {
        publish("bad-alias", 2);
        String path = "/api/v1/functions/bad-alias/aliases";

        assertThat(refusedField(api.post(path, "{\"name\": \"prod\", \"version\": 1, \"additional_version\": 2, \"weight\": 1.5}")))
                .isEqualTo("weight");
        assertThat(refusedField(api.post(path, "{\"name\": \"prod\", \"version\": 1, \"additional_version\": 2, \"weight\": -0.1}")))
                .isEqualTo("weight");
        assertThat(refusedField(api.post(path, "{\"name\": \"prod\", \"version\": 1, \"additional_version\": 2}")))
                .isEqualTo("weight");
        assertThat(refusedField(api.post(path, "{\"name\": \"prod\", \"version\": 99}"))).isEqualTo("version");
        assertThat(refusedField(api.post(path, "{\"name\": \"prod\", \"version\": 1, \"additional_version\": 99, \"weight\": 0.1}")))
                .isEqualTo("additional_version");
        assertThat(refusedField(api.post(path, "{\"name\": \"3\", \"version\": 1}"))).isEqualTo("name");
        assertThat(refusedField(api.post(path, "{\"name\": \"latest\", \"version\": 1}"))).isEqualTo("name");
        assertThat(api.get(path).json().path("aliases").size()).isZero();

        api.post(path, "{\"name\": \"prod\", \"version\": 1}");
        Reply duplicate = api.post(path, "{\"name\": \"prod\", \"version\": 2}");
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.error().path("field").asText()).isEqualTo("name");
        assertThat(api.put(path + "/missing", "{\"version\": 1}").status()).isEqualTo(404);
        assertThat(api.invoke("bad-alias:missing", "{}").status()).isEqualTo(404);
    }

    private static String refusedField(Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        return reply.error().path("field").asText();
    }
}
