package io.nimbus.domain.cron;

import io.nimbus.domain.DomainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.ZoneId;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CronExpressionTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final ZonedDateTime SAT_NOON = ZonedDateTime.of(2025, 6, 7, 12, 0, 0, 0, UTC);

    private static ZonedDateTime next(String expression, ZonedDateTime after) {
        return CronExpression.parse(expression).next(after);
    }

    @Test
    void everyMinuteTicksOnTheNextWholeMinute() {
        assertThat(next("* * * * *", SAT_NOON.plusSeconds(10))).isEqualTo(SAT_NOON.plusMinutes(1));
    }

    @Test
    void stepsRangesListsAndNamesAreUnderstood() {
        assertThat(next("*/15 * * * *", SAT_NOON)).isEqualTo(SAT_NOON.plusMinutes(15));
        assertThat(next("0 9-17/4 * * *", SAT_NOON)).isEqualTo(SAT_NOON.withHour(13));
        assertThat(next("30 8 * * MON,WED", SAT_NOON)).isEqualTo(ZonedDateTime.of(2025, 6, 9, 8, 30, 0, 0, UTC));
        assertThat(next("0 0 1 JAN *", SAT_NOON)).isEqualTo(ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, UTC));
        assertThat(next("0 0 * * 7", SAT_NOON)).isEqualTo(ZonedDateTime.of(2025, 6, 8, 0, 0, 0, 0, UTC));
    }

    @Test
    void whenBothDayFieldsAreRestrictedEitherMatches() {
        // the 15th, or any Monday: Monday 9 June comes first
        assertThat(next("0 0 15 * MON", SAT_NOON)).isEqualTo(ZonedDateTime.of(2025, 6, 9, 0, 0, 0, 0, UTC));
    }

    @Test
    void macrosExpandToTheirFiveFields() {
        assertThat(next("@hourly", SAT_NOON)).isEqualTo(SAT_NOON.plusHours(1));
        assertThat(next("@daily", SAT_NOON)).isEqualTo(ZonedDateTime.of(2025, 6, 8, 0, 0, 0, 0, UTC));
        assertThat(next("@weekly", SAT_NOON)).isEqualTo(ZonedDateTime.of(2025, 6, 8, 0, 0, 0, 0, UTC));
        assertThat(next("@monthly", SAT_NOON)).isEqualTo(ZonedDateTime.of(2025, 7, 1, 0, 0, 0, 0, UTC));
    }

    @Test
    void everyAddsItsIntervalToTheLastTick() {
        assertThat(next("@every 30s", SAT_NOON)).isEqualTo(SAT_NOON.plusSeconds(30));
        assertThat(next("@every 5m", SAT_NOON)).isEqualTo(SAT_NOON.plusMinutes(5));
        assertThat(next("@every 2h", SAT_NOON)).isEqualTo(SAT_NOON.plusHours(2));
    }

    @Test
    void aTimeZoneGivesLocalWallClockTicksAcrossDaylightSaving() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        ZonedDateTime beforeSpringForward = ZonedDateTime.of(2025, 3, 29, 12, 0, 0, 0, paris);

        ZonedDateTime tick = next("30 2 * * *", beforeSpringForward);

        // 02:30 does not exist on 30 March in Paris: the tick moves to 03:30 local time
        assertThat(tick.toLocalDateTime()).isEqualTo(java.time.LocalDateTime.of(2025, 3, 30, 3, 30));
        assertThat(next("0 9 * * *", beforeSpringForward).getHour()).isEqualTo(9);
    }

    @Test
    void leapDayIsFoundYearsAhead() {
        assertThat(next("0 0 29 2 *", SAT_NOON)).isEqualTo(ZonedDateTime.of(2028, 2, 29, 0, 0, 0, 0, UTC));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
            "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *", "0 0 30 2 *", "@every", "@every 0s", "@every 5d",
            "@every -1m", "@often", "1,,2 * * * *"})
    void malformedExpressionsAreRefusedNamingTheField(String expression) {
        assertThatThrownBy(() -> CronExpression.parse(expression))
                .isInstanceOfSatisfying(DomainException.class, e -> assertThat(e.field()).isEqualTo("cron_expression"));
    }
}
