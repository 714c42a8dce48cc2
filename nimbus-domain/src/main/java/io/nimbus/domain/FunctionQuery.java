package io.nimbus.domain;

/** Filters for listing functions; a null filter matches everything. */
public record FunctionQuery(String name, String runtime, String tag, FunctionStatus status, int limit, int offset) {
}
