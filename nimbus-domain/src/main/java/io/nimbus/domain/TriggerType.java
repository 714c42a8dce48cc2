package io.nimbus.domain;

import java.util.Locale;

/** What started an invocation: a synchronous HTTP call, the async queue, a cron tick, an event, a workflow step or a webhook. */
public enum TriggerType {
    HTTP, ASYNC, CRON, EVENT, WORKFLOW, WEBHOOK;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TriggerType fromWire(String value) {
        for (TriggerType t : values()) {
            if (t.wireName().equals(value)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown trigger type: " + value);
    }
}
