package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static io.nimbus.server.ReliableAsyncTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

/** Cron schedules through the API. */
class CronTest {
    private static RunningNimbus nimbus;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start(Map.of(Setting.CRON_POLL_MS, "100"));
        api = nimbus.client();
    }

    @AfterAll
    static void stop() {
        nimbus.close();
    }

    @Test
    void aScheduleEverySecondFiresRepeatedlyWithTriggerTypeCron() {
        api.createFunction("ticker", "python", "def handler(event):\n    return event['scheduled_time']\n");

        Reply schedule = api.put("/api/v1/functions/ticker/schedule", "{\"cron_expression\": \"@every 1s\"}");

        assertThat(schedule.status()).as(schedule.toString()).isEqualTo(200);
        assertThat(schedule.json().path("timezone").asText()).isEqualTo("UTC");
        assertThat(schedule.json().path("catch_up").asBoolean()).isTrue();
        Reply runs = api.await("/api/v1/functions/ticker/invocations?status=success",
                r -> r.json().path("invocations").size() >= 3, Duration.ofSeconds(30));
        Set<String> ticks = new HashSet<>();
        for (JsonNode run : runs.json().path("invocations")) {
            assertThat(run.path("trigger_type").asText()).isEqualTo("cron");
            assertThat(run.path("input").path("cron_expression").asText()).isEqualTo("@every 1s");
            ticks.add(run.path("output").asText());
        }
        assertThat(ticks).hasSize(runs.json().path("invocations").size());
        assertThat(api.delete("/api/v1/functions/ticker/schedule").status()).isEqualTo(204);
        assertThat(api.get("/api/v1/functions/ticker/schedule").status()).isEqualTo(404);
    }

    @Test
    void aFiveFieldScheduleInATimeZoneNamesItsNextTick() {
        api.createFunction("nightly", "python", "def handler(event):\n    return 1\n");

        Reply schedule = api.put("/api/v1/functions/nightly/schedule",
                "{\"cron_expression\": \"30 2 * * MON-FRI\", \"timezone\": \"Europe/Paris\", \"catch_up\": false}");

        assertThat(schedule.status()).as(schedule.toString()).isEqualTo(200);
        assertThat(schedule.json().path("catch_up").asBoolean()).isFalse();
        java.time.ZonedDateTime next = java.time.Instant.parse(schedule.json().path("next_fire_at").asText())
                .atZone(java.time.ZoneId.of("Europe/Paris"));
        assertThat(next.getHour()).isEqualTo(2);
        assertThat(next.getMinute()).isEqualTo(30);
        assertThat(next.getDayOfWeek().getValue()).isLessThanOrEqualTo(5);
        assertThat(api.get("/api/v1/functions/nightly/schedule").json().path("cron_expression").asText())
                .isEqualTo("30 2 * * MON-FRI");
    }

    @Test
    void invalidSchedulesAreRefusedNamingTheField() {
        api.createFunction("badly-scheduled", "python", "def handler(event):\n    return 1\n");
        String path = "/api/v1/functions/badly-scheduled/schedule";

        assertRefused(api.put(path, "{\"cron_expression\": \"* * * *\"}"), "cron_expression");
        assertRefused(api.put(path, "{\"cron_expression\": \"61 * * * *\"}"), "cron_expression");
        assertRefused(api.put(path, "{\"cron_expression\": \"*/0 * * * *\"}"), "cron_expression");
        assertRefused(api.put(path, "{\"cron_expression\": \"0 0 31 2 *\"}"), "cron_expression");
        assertRefused(api.put(path, "{\"cron_expression\": \"@every 0s\"}"), "cron_expression");
        assertRefused(api.put(path, "{\"cron_expression\": \"@sometimes\"}"), "cron_expression");
        assertRefused(api.put(path, "{\"cron_expression\": \"0 0 * * FUNDAY\"}"), "cron_expression");
        assertRefused(api.put(path, "{}"), "cron_expression");
        assertRefused(api.put(path, "{\"cron_expression\": \"@hourly\", \"timezone\": \"Mars/Olympus\"}"), "timezone");
        assertThat(api.get(path).status()).isEqualTo(404);
        assertThat(api.put("/api/v1/functions/nobody/schedule", "{\"cron_expression\": \"@daily\"}").status()).isEqualTo(404);
    }
}
