package io.nimbus.api;

/** An HTTP-level refusal (bad query parameter, body too large, malformed JSON) with the error shape's fields. */
final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final String field;

    ApiException(int status, String code, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    static ApiException badRequest(String field, String message) {
        return new ApiException(400, "InvalidInput", message, field);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    String field() {
        return field;
    }
}
