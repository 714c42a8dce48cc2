/**
 * Workflows: the definition language (steps of type task, sequence, parallel, choice and wait,
 * with retry and catch), its validation, and the durable engine that drives executions step by
 * step, recording each step so that a restarted server resumes where it was.
 */
package io.nimbus.workflow;
