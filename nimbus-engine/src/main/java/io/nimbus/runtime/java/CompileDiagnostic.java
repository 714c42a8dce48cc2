package io.nimbus.runtime.java;

/**
 * One message of the compiler about a function's sources.
 *
 * @param kind    javax.tools' kind: ERROR, WARNING, MANDATORY_WARNING, NOTE or OTHER
 * @param file    the source file relative to the source directory, or null when the message has no place
 * @param line    1-based, or 0 without a place
 * @param column  1-based, or 0 without a place
 */
public record CompileDiagnostic(String kind, String file, long line, long column, String message) {

    public boolean isError() {
        return kind.equals("ERROR");
    }

    /** {@code file:line: message}, the form editors and people read. */
    @Override
    public String toString() {
        return file == null ? message : file + ":" + line + ": " + message;
    }
}
