package io.nimbus.workflow;

import java.util.List;

/** A parsed, validated workflow: a name, a description and its root sequence of steps. */
record WorkflowDefinition(String name, String description, List<Step> steps) {
}
