package io.nimbus.api;

import io.nimbus.domain.Invocation;
import io.nimbus.domain.InvocationStatus;
import io.nimbus.domain.async.Attempt;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a retried invocation shows its history: {@code attempts} counts the runs so far
 * (the current one included once it has started), {@code previous_attempts} lists the failed
 * ones that were retried.
 */
final class AttemptViews {

    private AttemptViews() {
    }

    static void add(Map<String, Object> view, Invocation invocation, List<Attempt> previous) {
        boolean current = invocation.status() != InvocationStatus.PENDING;
        view.put("attempts", previous.size() + (current ? 1 : 0));
        view.put("previous_attempts", previous.stream().map(AttemptViews::view).toList());
    }

    private static Map<String, Object> view(Attempt attempt) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("attempt", attempt.number());
        view.put("status", attempt.status().wireName());
        view.put("error", attempt.error() == null ? null : Views.error(attempt.error()));
        view.put("logs", attempt.logs() == null ? "" : attempt.logs());
        view.put("duration_ms", attempt.durationMs());
        view.put("started_at", attempt.startedAt() == null ? null : attempt.startedAt().toString());
        view.put("completed_at", attempt.completedAt() == null ? null : attempt.completedAt().toString());
        return view;
    }
}
