package io.nimbus.domain;

import java.util.Locale;

/** Where a workflow execution is: running, or one of its three ends. */
public enum ExecutionStatus {
    RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ExecutionStatus fromWire(String value) {
        for (ExecutionStatus s : values()) {
            if (s.wireName().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown execution status: " + value);
    }
}
