package io.nimbus.domain;

import java.util.Locale;

/**
 * Where one step of a workflow execution is. Running, retrying (a due time set for the next
 * attempt) and waiting (a due time set for the wait's end) are in progress; succeeded, failed
 * and caught (failed, then handled by a catcher) are final.
 */
public enum StepStatus {
    RUNNING, RETRYING, WAITING, SUCCEEDED, FAILED, CAUGHT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static StepStatus fromWire(String value) {
        for (StepStatus s : values()) {
            if (s.wireName().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown step status: " + value);
    }
}
