package io.nimbus.domain;

import java.util.Locale;

/** Where an invocation is: pending (queued), running, or one of the three ends. */
public enum InvocationStatus {
    PENDING, RUNNING, SUCCESS, FAILED, TIMEOUT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFinal() {
        return this == SUCCESS || this == FAILED || this == TIMEOUT;
    }

    public static InvocationStatus fromWire(String value) {
        for (InvocationStatus s : values()) {
            if (s.wireName().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown invocation status: " + value);
    }
}
