package io.nimbus.domain;

/** Lifecycle of a function, as the seed model names it. */
public enum FunctionStatus {
    ACTIVE, INACTIVE, BUILDING, FAILED;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static FunctionStatus fromWire(String value) {
        for (FunctionStatus s : values()) {
            if (s.wireName().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown function status: " + value);
    }
}
