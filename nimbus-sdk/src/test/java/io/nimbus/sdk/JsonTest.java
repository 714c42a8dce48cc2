package io.nimbus.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void objectsKeepTheirMemberOrderAndArraysTheirElements() {
        Object value = Json.parse(" { \"b\" : [1, \"two\", true, false, null], \"a\" : {} , \"c\": [] }\n");

        assertThat(value).isInstanceOf(LinkedHashMap.class);
        assertThat(List.copyOf(((Map<?, ?>) value).keySet())).isEqualTo(List.of("b", "a", "c"));
        assertThat(((Map<?, ?>) value).get("b")).isEqualTo(Arrays.asList(1L, "two", true, false, null));
        assertThat(Json.write(value)).isEqualTo("{\"b\":[1,\"two\",true,false,null],\"a\":{},\"c\":[]}");
    }

    @Test
    void aRepeatedMemberNameKeepsTheLastValue() {
        assertThat(Json.parse("{\"a\":1,\"a\":2}")).isEqualTo(Map.of("a", 2L));
    }

    @Test
    void integersAreLongsUntilTheyNeedABigInteger() {
        assertThat(Json.parse("0")).isEqualTo(0L);
        assertThat(Json.parse("-42")).isEqualTo(-42L);
        assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(Json.parse("9223372036854775808")).isEqualTo(new BigInteger("9223372036854775808"));
        assertThat(Json.parse("-123456789012345678901234567890")).isEqualTo(new BigInteger("-123456789012345678901234567890"));
    }

    @Test
    void fractionsAndExponentsAreDoublesUnlessADoubleWouldOverflow() {
        assertThat(Json.parse("1.5")).isEqualTo(1.5);
        assertThat(Json.parse("-0.25e2")).isEqualTo(-25.0);
        assertThat(Json.parse("1E3")).isEqualTo(1000.0);
        assertThat(Json.parse("2e-3")).isEqualTo(0.002);
        assertThat(Json.parse("1e400")).isEqualTo(new BigDecimal("1e400"));
    }

    @Test
    void numbersRoundTripToTheSameValue() {
        for (String text : List.of("0", "-1", "12345678901234567890123", "1.5", "0.1", "1.0E-7", "1.0E300", "10000000.0")) {
            Object value = Json.parse(text);
            assertThat(Json.parse(Json.write(value))).as(text).isEqualTo(value);
        }
    }

    @Test
    void integralDoublesAreWrittenWithoutAnExponentAndStayDoubles() {
        assertThat(Json.write(3.0)).isEqualTo("3.0");
        assertThat(Json.write(1e7)).isEqualTo("10000000.0");
        assertThat(Json.write(1.5f)).isEqualTo("1.5");
        assertThat(Json.write(List.of(1, (short) 2, (byte) 3, 4L, new AtomicLong(5)))).isEqualTo("[1,2,3,4,5]");
    }

    @Test
    void escapesAreDecoded() {
        assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u0000\""))
                .isEqualTo("a\"b\\c/d\b\f\n\r\té\u0000");
    }

    @Test
    void anEscapedSurrogatePairIsOneCharacter() {
        String grinning = (String) Json.parse("\"\\ud83d\\ude00\"");

        assertThat(grinning).isEqualTo("😀");
        assertThat(grinning.codePointCount(0, grinning.length())).isEqualTo(1);
        assertThat(Json.write(grinning)).isEqualTo("\"😀\"");
    }

    @Test
    void aLoneSurrogateSurvivesARoundTripAsAnEscape() {
        String lone = (String) Json.parse("\"x\\ud800y\"");

        assertThat(lone).isEqualTo("x\ud800y");
        assertThat(Json.write(lone)).isEqualTo("\"x\\ud800y\"");
        assertThat(Json.write("\udc00")).isEqualTo("\"\\udc00\"");
    }

    @Test
    void writingEscapesOnlyWhatJsonRequires() {
        assertThat(Json.write("grüß \"du\"\n\t\\ \u0001 / <"))
                .isEqualTo("\"grüß \\\"du\\\"\\n\\t\\\\ \\u0001 / <\"");
    }

    @Test
    void nonAsciiTextRoundTrips() {
        String text = "日本語 — ünïcödé 😀";

        assertThat(Json.parse(Json.write(text))).isEqualTo(text);
    }

    record Greeting(String message, int count, List<String> tags) {
    }

    enum Mood { HAPPY }

    @Test
    void recordsEnumsArraysAndOptionalsHaveAJsonForm() {
        assertThat(Json.write(new Greeting("hi", 2, List.of("a")))).isEqualTo("{\"message\":\"hi\",\"count\":2,\"tags\":[\"a\"]}");
        assertThat(Json.write(Mood.HAPPY)).isEqualTo("\"HAPPY\"");
        assertThat(Json.write(new int[] {1, 2})).isEqualTo("[1,2]");
        assertThat(Json.write(new String[] {"a", null})).isEqualTo("[\"a\",null]");
        assertThat(Json.write(Optional.empty())).isEqualTo("null");
        assertThat(Json.write(Optional.of('c'))).isEqualTo("\"c\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "{", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a:1}", "{'a':1}", "01", "-", "+1", ".5", "1.",
        "1e", "1e+", "0x10", "NaN", "Infinity", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"",
        "\"tab\there\"", "[1] [2]", "// comment\n1", "\ufeff1", "[\"a\",]", "{\"a\":}"})
    void invalidTextIsRefused(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(JsonException.class).hasMessageContaining("at offset");
    }

    @Test
    void anErrorNamesWhereItIs() {
        assertThatThrownBy(() -> Json.parse("{\"a\": [1, 2,, 3]}"))
                .isInstanceOf(JsonException.class).hasMessage("unexpected ',', expected a value at offset 12");
    }

    @Test
    void nestingUpToTheLimitIsReadAndDeeperIsRefused() {
        String deepest = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);

        assertThat(Json.write(Json.parse(deepest))).isEqualTo(deepest);
        assertThatThrownBy(() -> Json.parse(tooDeep)).isInstanceOf(JsonException.class).hasMessageContaining("nesting");
        assertThatThrownBy(() -> Json.parse("{\"a\":".repeat(100_000))).isInstanceOf(JsonException.class)
                .hasMessageContaining("nesting");
    }

    @Test
    void aValueThatContainsItselfIsRefusedNotAStackOverflow() {
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);

        assertThatThrownBy(() -> Json.write(cycle)).isInstanceOf(JsonException.class).hasMessageContaining("nesting");
    }

    @Test
    void valuesWithoutAJsonFormAreRefused() {
        assertThatThrownBy(() -> Json.write(Double.NaN)).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> Json.write(Float.POSITIVE_INFINITY)).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> Json.write(new Object())).isInstanceOf(JsonException.class)
                .hasMessageContaining("java.lang.Object has no JSON form");
        assertThatThrownBy(() -> Json.write(Map.of(1, "one"))).isInstanceOf(JsonException.class)
                .hasMessageContaining("member names are strings");
    }
}
