package io.nimbus.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.nimbus.domain.InvocationError;

/** How a step (or a run of steps) ended. A failure is a value here, not an exception: catchers route it. */
sealed interface StepResult {

    record Succeeded(JsonNode output) implements StepResult {
    }

    record Failed(InvocationError error) implements StepResult {
    }

    /** The execution was cancelled (or this node lost it): stop without recording anything more. */
    record Stopped() implements StepResult {
    }
}
