package io.nimbus.domain;

/** Filters for listing invocations, newest first; a null filter matches everything. */
public record InvocationQuery(String functionId, InvocationStatus status, int limit, int offset) {
}
