package io.nimbus.workflow;

import java.util.List;

/**
 * One step of a workflow definition. Composite steps hold their children, so a definition is
 * a tree: there are no jumps, hence no cycles, and each step has one path
 * ({@code steps[2].branches[0][1]}) that names it in validation errors and in execution records.
 */
sealed interface Step {

    Options options();

    String type();

    /**
     * What every step may have. The step's input is its {@code inputPath} of the input it is
     * given; its result goes to {@code resultPath} of that input (the root: the result replaces it).
     */
    record Options(String name, JsonPath inputPath, JsonPath resultPath, RetryPolicy retry, List<Catcher> catchers) {
    }

    /** Calls a function (by name or id) with the step's input; its output is the function's result. */
    record Task(Options options, String function) implements Step {
        @Override
        public String type() {
            return "task";
        }
    }

    /** Runs its steps one after another, each on the previous one's output. */
    record Sequence(Options options, List<Step> steps) implements Step {
        @Override
        public String type() {
            return "sequence";
        }
    }

    /** Runs every branch on the same input at once; the output is the array of branch outputs. */
    record Parallel(Options options, List<List<Step>> branches) implements Step {
        @Override
        public String type() {
            return "parallel";
        }
    }

    /** Runs the steps of the first choice whose condition holds, else the default ones. */
    record Choice(Options options, List<Branch> choices, List<Step> defaultSteps) implements Step {
        @Override
        public String type() {
            return "choice";
        }
    }

    /** Passes its input on after a number of seconds, or at a time read from its input. */
    record Wait(Options options, Integer seconds, JsonPath untilPath) implements Step {
        @Override
        public String type() {
            return "wait";
        }
    }

    /** A choice's condition and the steps it leads to. */
    record Branch(Condition condition, List<Step> steps) {
    }

    /**
     * Retries a failing task: {@code maxAttempts} attempts in all, the first retry after
     * {@code intervalSec}, each later one {@code backoffRate} times longer. {@code errors} empty
     * matches every error.
     */
    record RetryPolicy(int maxAttempts, double intervalSec, double backoffRate, List<String> errors) {
    }

    /**
     * Handles a failure no retry cured: the failing step's input, with the error at
     * {@code resultPath}, goes through {@code steps}, whose output becomes the step's output.
     */
    record Catcher(List<String> errors, List<Step> steps, JsonPath resultPath) {
    }
}
