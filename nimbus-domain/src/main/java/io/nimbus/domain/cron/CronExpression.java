package io.nimbus.domain.cron;

import io.nimbus.domain.DomainException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed cron expression: five fields (minute hour day-of-month month day-of-week, with
 * {@code *}, lists, ranges, steps and the names JAN–DEC and SUN–SAT), a macro
 * ({@code @yearly @monthly @weekly @daily @hourly}) or a fixed interval ({@code @every 30s},
 * {@code 5m}, {@code 2h}). As in Vixie cron, when both day fields are restricted a day
 * matching either one is a match.
 */
public sealed interface CronExpression {
    String FIELD = "cron_expression";

    /** The source text, as given. */
    String text();

    /** The first tick strictly after {@code after}, in {@code after}'s zone. */
    ZonedDateTime next(ZonedDateTime after);

    static CronExpression parse(String text) {
        if (text == null || text.isBlank()) {
            throw DomainException.invalid(FIELD, "cron_expression is required");
        }
        String trimmed = text.trim();
        if (trimmed.startsWith("@every")) {
            return Every.parse(trimmed);
        }
        String expanded = switch (trimmed.toLowerCase(Locale.ROOT)) {
            case "@yearly", "@annually" -> "0 0 1 1 *";
            case "@monthly" -> "0 0 1 * *";
            case "@weekly" -> "0 0 * * 0";
            case "@daily", "@midnight" -> "0 0 * * *";
            case "@hourly" -> "0 * * * *";
            default -> trimmed;
        };
        if (expanded.startsWith("@")) {
            throw DomainException.invalid(FIELD, "unknown macro " + trimmed
                    + "; use @yearly, @monthly, @weekly, @daily, @hourly or @every <n>s|m|h");
        }
        return Fields.parse(trimmed, expanded);
    }

    /** {@code @every <n>s|m|h}: ticks a fixed interval apart. */
    record Every(String text, Duration interval) implements CronExpression {
        private static final Pattern SHAPE = Pattern.compile("^@every\\s+([1-9][0-9]{0,6})([smh])$");
        private static final Duration LONGEST = Duration.ofDays(366);

        static Every parse(String text) {
            Matcher matcher = SHAPE.matcher(text);
            if (!matcher.matches()) {
                throw DomainException.invalid(FIELD, "@every takes a whole number and a unit, for example @every 30s, @every 5m, @every 2h");
            }
            long amount = Long.parseLong(matcher.group(1));
            Duration interval = switch (matcher.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
            if (interval.compareTo(LONGEST) > 0) {
                throw DomainException.invalid(FIELD, "@every is limited to 366 days");
            }
            return new Every(text, interval);
        }

        @Override
        public ZonedDateTime next(ZonedDateTime after) {
            return after.plus(interval);
        }
    }

    /** The five-field form. */
    record Fields(String text, BitSet minutes, BitSet hours, BitSet days, BitSet months, BitSet weekdays,
                  boolean anyDay, boolean anyWeekday) implements CronExpression {
        private static final Map<String, Integer> MONTHS = Map.ofEntries(Map.entry("JAN", 1), Map.entry("FEB", 2),
                Map.entry("MAR", 3), Map.entry("APR", 4), Map.entry("MAY", 5), Map.entry("JUN", 6), Map.entry("JUL", 7),
                Map.entry("AUG", 8), Map.entry("SEP", 9), Map.entry("OCT", 10), Map.entry("NOV", 11), Map.entry("DEC", 12));
        private static final Map<String, Integer> WEEKDAYS = Map.of("SUN", 0, "MON", 1, "TUE", 2, "WED", 3, "THU", 4,
                "FRI", 5, "SAT", 6);
        /** Long enough for the rarest schedule that can match (29 February on a given weekday). */
        private static final int SEARCH_YEARS = 30;

        static Fields parse(String text, String expanded) {
            String[] parts = expanded.split("\\s+");
            if (parts.length != 5) {
                throw DomainException.invalid(FIELD, "a cron expression has five fields (minute hour day-of-month month"
                        + " day-of-week), or is a macro such as @hourly or @every 30s; got " + parts.length + " fields");
            }
            BitSet weekdays = field(parts[4], "day-of-week", 0, 7, WEEKDAYS);
            if (weekdays.get(7)) {
                weekdays.set(0);
                weekdays.clear(7);
            }
            Fields fields = new Fields(text, field(parts[0], "minute", 0, 59, Map.of()),
                    field(parts[1], "hour", 0, 23, Map.of()), field(parts[2], "day-of-month", 1, 31, Map.of()),
                    field(parts[3], "month", 1, 12, MONTHS), weekdays,
                    parts[2].startsWith("*"), parts[4].startsWith("*"));
            fields.requireSomeDay();
            return fields;
        }

        @Override
        public ZonedDateTime next(ZonedDateTime after) {
            LocalDateTime candidate = after.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            LocalDateTime limit = candidate.plusYears(SEARCH_YEARS);
            while (candidate.isBefore(limit)) {
                if (!months.get(candidate.getMonthValue())) {
                    candidate = candidate.withDayOfMonth(1).toLocalDate().plusMonths(1).atStartOfDay();
                } else if (!dayMatches(candidate)) {
                    candidate = candidate.toLocalDate().plusDays(1).atStartOfDay();
                } else if (!hours.get(candidate.getHour())) {
                    candidate = candidate.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                } else if (!minutes.get(candidate.getMinute())) {
                    candidate = candidate.plusMinutes(1);
                } else {
                    // a local time in a daylight-saving gap moves forward, as the clock on the wall does
                    ZonedDateTime tick = candidate.atZone(after.getZone());
                    if (tick.isAfter(after)) {
                        return tick;
                    }
                    candidate = candidate.plusMinutes(1);
                }
            }
            throw new IllegalStateException("no tick of " + text + " within " + SEARCH_YEARS + " years");
        }

        private boolean dayMatches(LocalDateTime candidate) {
            boolean day = days.get(candidate.getDayOfMonth());
            boolean weekday = weekdays.get(candidate.getDayOfWeek().getValue() % 7);
            if (anyDay || anyWeekday) {
                return day && weekday;
            }
            return day || weekday;
        }

        /** {@code 0 0 31 2 *} (31 February) parses but never runs: refused rather than silently idle. */
        private void requireSomeDay() {
            if (!anyDay && !anyWeekday) {
                return;
            }
            int[] longest = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            int firstDay = days.nextSetBit(1);
            for (int month = months.nextSetBit(1); month >= 0; month = months.nextSetBit(month + 1)) {
                if (firstDay <= longest[month]) {
                    return;
                }
            }
            throw DomainException.invalid(FIELD, "the day-of-month never occurs in the given months: " + text);
        }

        private static BitSet field(String spec, String name, int min, int max, Map<String, Integer> names) {
            BitSet values = new BitSet(max + 1);
            for (String item : spec.split(",", -1)) {
                item(item, name, min, max, names, values);
            }
            return values;
        }

        private static void item(String item, String name, int min, int max, Map<String, Integer> names, BitSet values) {
            String range = item;
            int step = 1;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                step = number(item.substring(slash + 1), name, 1, max, Map.of());
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", -1);
                if (ends.length != 2) {
                    throw invalid(name, "bad range '" + range + "'");
                }
                from = number(ends[0], name, min, max, names);
                to = number(ends[1], name, min, max, names);
                if (from > to) {
                    throw invalid(name, "range '" + range + "' runs backwards");
                }
            } else {
                from = number(range, name, min, max, names);
                to = slash >= 0 ? max : from;
            }
            for (int value = from; value <= to; value += step) {
                values.set(value);
            }
        }

        private static int number(String text, String name, int min, int max, Map<String, Integer> names) {
            Integer named = names.get(text.toUpperCase(Locale.ROOT));
            if (named != null) {
                return named;
            }
            if (!text.matches("[0-9]{1,2}")) {
                throw invalid(name, "'" + text + "' is not a number" + (names.isEmpty() ? "" : " or a name"));
            }
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw invalid(name, value + " is outside " + min + "-" + max);
            }
            return value;
        }

        private static DomainException invalid(String name, String reason) {
            return DomainException.invalid(FIELD, "invalid " + name + " field: " + reason);
        }
    }
}
