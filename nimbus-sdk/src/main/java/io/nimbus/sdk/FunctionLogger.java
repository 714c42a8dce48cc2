package io.nimbus.sdk;

/** Writes {@code [LEVEL] message} lines into the invocation's logs, the format of the Python and Node runtimes. */
public interface FunctionLogger {

    void log(String level, String message);

    default void debug(String message) {
        log("DEBUG", message);
    }

    default void info(String message) {
        log("INFO", message);
    }

    default void warn(String message) {
        log("WARN", message);
    }

    default void error(String message) {
        log("ERROR", message);
    }
}
