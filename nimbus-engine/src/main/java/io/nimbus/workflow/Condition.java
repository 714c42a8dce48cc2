package io.nimbus.workflow;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Locale;

/**
 * A choice's condition over the step's input: a comparison of the value at a path, or
 * {@code all}, {@code any} and {@code not} over other conditions.
 */
sealed interface Condition {

    boolean test(JsonNode input);

    /** The comparison operators, by their JSON names. */
    enum Operator {
        EQUALS, NOT_EQUALS, GREATER_THAN, GREATER_THAN_OR_EQUALS, LESS_THAN, LESS_THAN_OR_EQUALS, EXISTS, NOT_EXISTS;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean takesValue() {
            return this != EXISTS && this != NOT_EXISTS;
        }

        boolean orders() {
            return takesValue() && this != EQUALS && this != NOT_EQUALS;
        }
    }

    /**
     * Compares the value at {@code path} with {@code value}. Ordering compares numbers with
     * numbers and text with text; a value of another kind (or none) makes it false, never an error.
     */
    record Comparison(JsonPath path, Operator operator, JsonNode value) implements Condition {
        @Override
        public boolean test(JsonNode input) {
            JsonNode actual = path.read(input);
            return switch (operator) {
                case EXISTS -> !actual.isMissingNode();
                case NOT_EXISTS -> actual.isMissingNode();
                case EQUALS -> sameValue(actual, value);
                case NOT_EQUALS -> !actual.isMissingNode() && !sameValue(actual, value);
                default -> order(actual);
            };
        }

        private boolean order(JsonNode actual) {
            int compared;
            if (actual.isNumber() && value.isNumber()) {
                compared = actual.decimalValue().compareTo(value.decimalValue());
            } else if (actual.isTextual() && value.isTextual()) {
                compared = actual.textValue().compareTo(value.textValue());
            } else {
                return false;
            }
            return switch (operator) {
                case GREATER_THAN -> compared > 0;
                case GREATER_THAN_OR_EQUALS -> compared >= 0;
                case LESS_THAN -> compared < 0;
                default -> compared <= 0;
            };
        }

        /** 1 equals 1.0: numbers compare by value, not by how they were written. */
        private static boolean sameValue(JsonNode actual, JsonNode expected) {
            if (actual.isNumber() && expected.isNumber()) {
                return actual.decimalValue().compareTo(expected.decimalValue()) == 0;
            }
            return actual.equals(expected);
        }
    }

    record All(List<Condition> conditions) implements Condition {
        @Override
        public boolean test(JsonNode input) {
            return conditions.stream().allMatch(c -> c.test(input));
        }
    }

    record Any(List<Condition> conditions) implements Condition {
        @Override
        public boolean test(JsonNode input) {
            return conditions.stream().anyMatch(c -> c.test(input));
        }
    }

    record Not(Condition condition) implements Condition {
        @Override
        public boolean test(JsonNode input) {
            return !condition.test(input);
        }
    }
}
