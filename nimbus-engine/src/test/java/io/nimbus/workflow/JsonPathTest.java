package io.nimbus.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class JsonPathTest {
    private static final JsonNode ORDER = ExecutionRun.read("{\"order\":{\"items\":[{\"price\":5},{\"price\":7}]}}");

    @Test
    void aPathReadsFieldsAndIndexesAndMissesWhatIsNotThere() {
        assertThat(JsonPath.parse("$.order.items[1].price").read(ORDER).intValue()).isEqualTo(7);
        assertThat(JsonPath.parse("$").read(ORDER)).isEqualTo(ORDER);
        assertThat(JsonPath.parse("$.order.items[5]").read(ORDER).isMissingNode()).isTrue();
        assertThat(JsonPath.parse("$.nothing.deeper").read(ORDER).isMissingNode()).isTrue();
    }

    @Test
    void writingPlacesTheValueInACopyCreatingObjectsOnTheWay() {
        JsonNode value = ExecutionRun.read("{\"ok\":true}");

        JsonNode written = JsonPath.parse("$.results.charge").write(ORDER, value);

        assertThat(written.path("results").path("charge")).isEqualTo(value);
        assertThat(written.path("order")).isEqualTo(ORDER.path("order"));
        assertThat(ORDER.has("results")).isFalse();
        assertThat(JsonPath.ROOT.write(ORDER, value)).isEqualTo(value);
    }

    @Test
    void writingThroughAValueThatIsNotAContainerIsRefused() {
        assertThatThrownBy(() -> JsonPath.parse("$.order.items[9]").write(ORDER, ORDER))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void textThatIsNotAPathIsRefused() {
        for (String bad : new String[] {"order.total", "$order", "$.", "$.a[]", "$.a[-1]", "$..a", "$.a b"}) {
            assertThatThrownBy(() -> JsonPath.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
