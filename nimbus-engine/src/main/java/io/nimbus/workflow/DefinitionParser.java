package io.nimbus.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.nimbus.domain.DomainException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Reads a workflow definition and refuses anything malformed with the path of the field at
 * fault ({@code steps[2].function}): unknown step types and fields, functions that do not
 * exist, bad paths and conditions, out-of-range durations, and definitions too big or too deep.
 */
final class DefinitionParser {
    static final int MAX_STEPS = 200;
    static final int MAX_DEPTH = 8;
    static final int MAX_BRANCHES = 32;
    static final int MAX_WAIT_SECONDS = 365 * 86_400;
    static final int MAX_ATTEMPTS = 20;
    static final int MAX_RETRY_INTERVAL_SEC = 3_600;
    static final double MAX_BACKOFF_RATE = 10;
    private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9-]{0,62}$");
    private static final Pattern STEP_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,62}$");
    private static final int MAX_DESCRIPTION_LENGTH = 1024;
    private static final Set<String> COMMON = Set.of("type", "name", "input_path", "result_path", "catch");

    private final Predicate<String> functionExists;
    private int stepCount;

    private DefinitionParser(Predicate<String> functionExists) {
        this.functionExists = functionExists;
    }

    /** @throws DomainException INVALID with the field at fault */
    static WorkflowDefinition parse(JsonNode body, Predicate<String> functionExists) {
        return new DefinitionParser(functionExists).definition(body);
    }

    private WorkflowDefinition definition(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw DomainException.invalid(null, "the workflow must be a JSON object");
        }
        onlyFields(body, "", Set.of("name", "description", "steps"));
        String name = requiredText(body, "name", "name");
        if (!NAME.matcher(name).matches()) {
            throw DomainException.invalid("name",
                    "name must be 1-63 characters of lowercase letters, digits and hyphens, starting with a letter");
        }
        String description = body.has("description") ? requiredText(body, "description", "description") : "";
        if (description.length() > MAX_DESCRIPTION_LENGTH) {
            throw DomainException.invalid("description", "description is longer than " + MAX_DESCRIPTION_LENGTH);
        }
        return new WorkflowDefinition(name, description, steps(body.get("steps"), "steps", 1));
    }

    private List<Step> steps(JsonNode array, String field, int depth) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw DomainException.invalid(field, field + " must be a non-empty array of steps");
        }
        if (depth > MAX_DEPTH) {
            throw DomainException.invalid(field, "steps are nested more than " + MAX_DEPTH + " deep");
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            steps.add(step(array.get(i), field + "[" + i + "]", depth));
        }
        return List.copyOf(steps);
    }

    private Step step(JsonNode node, String field, int depth) {
        if (!node.isObject()) {
            throw DomainException.invalid(field, field + " must be an object");
        }
        if (++stepCount > MAX_STEPS) {
            throw DomainException.invalid(field, "a workflow has at most " + MAX_STEPS + " steps");
        }
        String type = requiredText(node, "type", field + ".type");
        Step.Options options = options(node, field, depth, type.equals("task"));
        return switch (type) {
            case "task" -> {
                onlyFields(node, field, union("function", "retry"));
                String function = requiredText(node, "function", field + ".function");
                if (!functionExists.test(function)) {
                    throw DomainException.invalid(field + ".function", "function '" + function + "' does not exist");
                }
                yield new Step.Task(options, function);
            }
            case "sequence" -> {
                onlyFields(node, field, union("steps"));
                yield new Step.Sequence(options, steps(node.get("steps"), field + ".steps", depth + 1));
            }
            case "parallel" -> {
                onlyFields(node, field, union("branches"));
                yield new Step.Parallel(options, branches(node.get("branches"), field + ".branches", depth + 1));
            }
            case "choice" -> {
                onlyFields(node, field, union("choices", "default"));
                yield choice(node, field, depth + 1, options);
            }
            case "wait" -> {
                onlyFields(node, field, union("seconds", "until_path"));
                yield waitStep(node, field, options);
            }
            default -> throw DomainException.invalid(field + ".type",
                    "unknown step type '" + type + "'; one of task, sequence, parallel, choice, wait");
        };
    }

    private Step.Options options(JsonNode node, String field, int depth, boolean retries) {
        String name = node.has("name") ? requiredText(node, "name", field + ".name") : null;
        if (name != null && !STEP_NAME.matcher(name).matches()) {
            throw DomainException.invalid(field + ".name",
                    "a step name is 1-63 letters, digits, spaces and _.:- starting with a letter or digit");
        }
        Step.RetryPolicy retry = retries && node.has("retry") ? retry(node.get("retry"), field + ".retry") : null;
        return new Step.Options(name, path(node, "input_path", field), path(node, "result_path", field), retry,
                catchers(node.get("catch"), field + ".catch", depth + 1));
    }

    private List<List<Step>> branches(JsonNode array, String field, int depth) {
        if (array == null || !array.isArray() || array.isEmpty() || array.size() > MAX_BRANCHES) {
            throw DomainException.invalid(field, field + " must be an array of 1 to " + MAX_BRANCHES
                    + " branches, each an array of steps");
        }
        List<List<Step>> branches = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            branches.add(steps(array.get(i), field + "[" + i + "]", depth));
        }
        return List.copyOf(branches);
    }

    private Step choice(JsonNode node, String field, int depth, Step.Options options) {
        JsonNode array = node.get("choices");
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw DomainException.invalid(field + ".choices", "choices must be a non-empty array");
        }
        List<Step.Branch> choices = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String at = field + ".choices[" + i + "]";
            JsonNode choice = array.get(i);
            if (!choice.isObject()) {
                throw DomainException.invalid(at, at + " must be an object with a condition and steps");
            }
            onlyFields(choice, at, Set.of("condition", "steps"));
            choices.add(new Step.Branch(condition(choice.get("condition"), at + ".condition", 1),
                    steps(choice.get("steps"), at + ".steps", depth)));
        }
        List<Step> defaultSteps = node.has("default") ? steps(node.get("default"), field + ".default", depth) : null;
        return new Step.Choice(options, List.copyOf(choices), defaultSteps);
    }

    private Condition condition(JsonNode node, String field, int depth) {
        if (node == null || !node.isObject()) {
            throw DomainException.invalid(field, field + " must be an object: {path, op, value}, {all}, {any} or {not}");
        }
        if (depth > MAX_DEPTH) {
            throw DomainException.invalid(field, "conditions are nested more than " + MAX_DEPTH + " deep");
        }
        if (node.has("all") || node.has("any")) {
            String combinator = node.has("all") ? "all" : "any";
            onlyFields(node, field, Set.of(combinator));
            JsonNode array = node.get(combinator);
            if (!array.isArray() || array.isEmpty()) {
                throw DomainException.invalid(field + "." + combinator, combinator + " must be a non-empty array");
            }
            List<Condition> parts = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                parts.add(condition(array.get(i), field + "." + combinator + "[" + i + "]", depth + 1));
            }
            return combinator.equals("all") ? new Condition.All(List.copyOf(parts)) : new Condition.Any(List.copyOf(parts));
        }
        if (node.has("not")) {
            onlyFields(node, field, Set.of("not"));
            return new Condition.Not(condition(node.get("not"), field + ".not", depth + 1));
        }
        onlyFields(node, field, Set.of("path", "op", "value"));
        JsonPath path = path(node, "path", field);
        if (path == null) {
            throw DomainException.invalid(field + ".path", "a condition needs a path, as in $.order.total");
        }
        Condition.Operator operator = operator(requiredText(node, "op", field + ".op"), field + ".op");
        JsonNode value = node.get("value");
        if (operator.takesValue() != (value != null)) {
            throw DomainException.invalid(field + ".value", operator.takesValue()
                    ? "op " + operator.wireName() + " needs a value" : "op " + operator.wireName() + " takes no value");
        }
        if (operator.orders() && !value.isNumber() && !value.isTextual()) {
            throw DomainException.invalid(field + ".value", "op " + operator.wireName() + " compares numbers or text");
        }
        return new Condition.Comparison(path, operator, value);
    }

    private static Condition.Operator operator(String op, String field) {
        for (Condition.Operator operator : Condition.Operator.values()) {
            if (operator.wireName().equals(op)) {
                return operator;
            }
        }
        throw DomainException.invalid(field, "unknown op '" + op + "'; one of equals, not_equals, greater_than,"
                + " greater_than_or_equals, less_than, less_than_or_equals, exists, not_exists");
    }

    private static Step waitStep(JsonNode node, String field, Step.Options options) {
        boolean bySeconds = node.has("seconds");
        if (bySeconds == node.has("until_path")) {
            throw DomainException.invalid(field + ".seconds", "a wait has either seconds or until_path");
        }
        if (!bySeconds) {
            return new Step.Wait(options, null, path(node, "until_path", field));
        }
        JsonNode seconds = node.get("seconds");
        if (!seconds.canConvertToInt() || !seconds.isIntegralNumber() || seconds.intValue() < 0
                || seconds.intValue() > MAX_WAIT_SECONDS) {
            throw DomainException.invalid(field + ".seconds", "seconds must be a whole number from 0 to "
                    + MAX_WAIT_SECONDS + " (a year)");
        }
        return new Step.Wait(options, seconds.intValue(), null);
    }

    private static Step.RetryPolicy retry(JsonNode node, String field) {
        if (!node.isObject()) {
            throw DomainException.invalid(field, "retry must be an object");
        }
        onlyFields(node, field, Set.of("max_attempts", "interval_sec", "backoff_rate", "errors"));
        int maxAttempts = (int) number(node, "max_attempts", field, 3, 1, MAX_ATTEMPTS, true);
        double interval = number(node, "interval_sec", field, 1, 0, MAX_RETRY_INTERVAL_SEC, false);
        double backoff = number(node, "backoff_rate", field, 2, 1, MAX_BACKOFF_RATE, false);
        return new Step.RetryPolicy(maxAttempts, interval, backoff, errors(node.get("errors"), field + ".errors"));
    }

    private List<Step.Catcher> catchers(JsonNode array, String field, int depth) {
        if (array == null) {
            return List.of();
        }
        if (!array.isArray() || array.isEmpty()) {
            throw DomainException.invalid(field, "catch must be a non-empty array of catchers");
        }
        List<Step.Catcher> catchers = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String at = field + "[" + i + "]";
            JsonNode catcher = array.get(i);
            if (!catcher.isObject()) {
                throw DomainException.invalid(at, at + " must be an object with errors, steps and result_path");
            }
            onlyFields(catcher, at, Set.of("errors", "steps", "result_path"));
            JsonPath resultPath = path(catcher, "result_path", at);
            catchers.add(new Step.Catcher(errors(catcher.get("errors"), at + ".errors"),
                    steps(catcher.get("steps"), at + ".steps", depth),
                    resultPath == null ? JsonPath.parse("$.error") : resultPath));
        }
        return List.copyOf(catchers);
    }

    private static List<String> errors(JsonNode array, String field) {
        if (array == null) {
            return List.of();
        }
        if (!array.isArray()) {
            throw DomainException.invalid(field, "errors must be an array of error codes or types");
        }
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!array.get(i).isTextual() || array.get(i).textValue().isBlank()) {
                throw DomainException.invalid(field + "[" + i + "]", "an error is a code or a type, as text");
            }
            errors.add(array.get(i).textValue());
        }
        return List.copyOf(errors);
    }

    private static double number(JsonNode node, String name, String field, double fallback, double min, double max,
                                 boolean whole) {
        JsonNode value = node.get(name);
        if (value == null) {
            return fallback;
        }
        if (!value.isNumber() || (whole && !value.isIntegralNumber()) || value.doubleValue() < min
                || value.doubleValue() > max) {
            throw DomainException.invalid(field + "." + name, name + " must be a " + (whole ? "whole " : "")
                    + "number from " + format(min) + " to " + format(max));
        }
        return value.doubleValue();
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static JsonPath path(JsonNode node, String name, String field) {
        if (!node.has(name)) {
            return null;
        }
        String at = field.isEmpty() ? name : field + "." + name;
        try {
            return JsonPath.parse(requiredText(node, name, at));
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid(at, e.getMessage());
        }
    }

    private static String requiredText(JsonNode node, String name, String field) {
        JsonNode value = node.get(name);
        if (value == null || !value.isTextual() || value.textValue().isBlank()) {
            throw DomainException.invalid(field, field + " is required and must be text");
        }
        return value.textValue();
    }

    private static Set<String> union(String... specific) {
        Set<String> all = new java.util.HashSet<>(COMMON);
        all.addAll(List.of(specific));
        return all;
    }

    private static void onlyFields(JsonNode node, String field, Set<String> allowed) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                String at = field.isEmpty() ? name : field + "." + name;
                throw DomainException.invalid(at, "unknown field '" + at + "'");
            }
        }
    }
}
