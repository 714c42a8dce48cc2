package io.nimbus.domain;

/**
 * A refusal the caller can act on: bad input, something missing, a conflict. Carries a
 * machine-readable code and, for bad input, the field at fault. The API maps the
 * {@link Kind} to an HTTP status; nothing has been changed when one is thrown.
 */
public class DomainException extends RuntimeException {
    public enum Kind { INVALID, NOT_FOUND, CONFLICT, TOO_LARGE, UNAVAILABLE }

    private final Kind kind;
    private final String code;
    private final String field;

    public DomainException(Kind kind, String code, String message, String field) {
        super(message, null, false, false);
        this.kind = kind;
        this.code = code;
        this.field = field;
    }

    public static DomainException invalid(String field, String message) {
        return new DomainException(Kind.INVALID, "InvalidInput", message, field);
    }

    public static DomainException tooLarge(String field, String message) {
        return new DomainException(Kind.TOO_LARGE, "PayloadTooLarge", message, field);
    }

    public static DomainException notFound(String what, String ref) {
        return new DomainException(Kind.NOT_FOUND, "NotFound", what + " '" + ref + "' not found", null);
    }

    public static DomainException conflict(String field, String message) {
        return new DomainException(Kind.CONFLICT, "Conflict", message, field);
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }
}
