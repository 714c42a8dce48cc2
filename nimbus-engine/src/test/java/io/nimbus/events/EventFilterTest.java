package io.nimbus.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nimbus.domain.DomainException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventFilterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static boolean matches(String filter, String event) throws Exception {
        return EventFilter.parse(JSON.readTree(filter)).matches(JSON.readTree(event));
    }

    @Test
    void noFilterMatchesEveryEvent() throws Exception {
        assertThat(EventFilter.parse(null).matches(JSON.readTree("{\"a\": 1}"))).isTrue();
        assertThat(matches("{}", "[1, 2]")).isTrue();
    }

    @Test
    void aValueMatchesEqualValuesAtANestedPath() throws Exception {
        assertThat(matches("{\"detail.type\": \"created\"}", "{\"detail\": {\"type\": \"created\"}}")).isTrue();
        assertThat(matches("{\"detail.type\": \"created\"}", "{\"detail\": {\"type\": \"deleted\"}}")).isFalse();
        assertThat(matches("{\"detail.type\": \"created\"}", "{\"detail\": \"created\"}")).isFalse();
        assertThat(matches("{\"n\": 1}", "{\"n\": 1.0}")).isTrue();
        assertThat(matches("{\"n\": \"1\"}", "{\"n\": 1}")).isFalse();
        assertThat(matches("{\"gone\": null}", "{\"gone\": null}")).isTrue();
    }

    @Test
    void aListMatchesAnyOfItsValues() throws Exception {
        assertThat(matches("{\"t\": [\"a\", \"b\"]}", "{\"t\": \"b\"}")).isTrue();
        assertThat(matches("{\"t\": [\"a\", \"b\"]}", "{\"t\": \"c\"}")).isFalse();
    }

    @Test
    void prefixAndExistsOperators() throws Exception {
        assertThat(matches("{\"r\": {\"prefix\": \"eu-\"}}", "{\"r\": \"eu-west\"}")).isTrue();
        assertThat(matches("{\"r\": {\"prefix\": \"eu-\"}}", "{\"r\": \"us-east\"}")).isFalse();
        assertThat(matches("{\"r\": {\"exists\": true}}", "{\"r\": null}")).isTrue();
        assertThat(matches("{\"r\": {\"exists\": false}}", "{\"s\": 1}")).isTrue();
        assertThat(matches("{\"r\": {\"exists\": false}}", "{\"r\": 1}")).isFalse();
    }

    @Test
    void everyConditionMustHold() throws Exception {
        assertThat(matches("{\"a\": 1, \"b\": 2}", "{\"a\": 1, \"b\": 2}")).isTrue();
        assertThat(matches("{\"a\": 1, \"b\": 2}", "{\"a\": 1, \"b\": 3}")).isFalse();
    }

    @Test
    void malformedFiltersAreRefusedNamingTheCondition() throws Exception {
        assertRefused("[1]", "filter");
        assertRefused("{\"a\": []}", "filter.a");
        assertRefused("{\"a\": {\"x\": 1}}", "filter.a");
        assertRefused("{\"a\": {\"prefix\": 1}}", "filter.a");
        assertRefused("{\"a\": [[1]]}", "filter.a");
        assertRefused("{\".a\": 1}", "filter..a");
    }

    private static void assertRefused(String filter, String field) throws Exception {
        JsonNode tree = JSON.readTree(filter);
        assertThatThrownBy(() -> EventFilter.parse(tree))
                .isInstanceOfSatisfying(DomainException.class, e -> assertThat(e.field()).isEqualTo(field));
    }
}
