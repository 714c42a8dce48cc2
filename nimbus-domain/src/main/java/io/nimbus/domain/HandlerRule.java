package io.nimbus.domain;

import java.util.regex.Pattern;

/**
 * What a runtime's {@code handler} field names, so how it is checked and what inline source
 * is called. Each runtime has one; the runtime layer says which.
 */
public enum HandlerRule {
    /** Python and Node: {@code module.function}, the module being one of the function's files. */
    MODULE_FUNCTION("^[A-Za-z_][A-Za-z0-9_-]*([./][A-Za-z_][A-Za-z0-9_-]*)*\\.[A-Za-z_$][A-Za-z0-9_$]*$",
            "handler must be module.function, for example main.handler", true),
    /**
     * Go: an exported function of package main ({@code Handle}, or {@code main.Handle}); empty
     * for a program with its own {@code func main}, run once per invocation.
     */
    GO_FUNCTION("^(main\\.)?[A-Z][A-Za-z0-9_]*$",
            "handler must be an exported Go function of package main, such as Handle (or empty for a program with its own main)",
            false),
    /** Java: a class's binary name, {@code com.example.Hello} or {@code Hello}. */
    JAVA_CLASS("^([a-zA-Z_$][a-zA-Z0-9_$]*\\.)*[a-zA-Z_$][a-zA-Z0-9_$]*$",
            "handler must be a class's binary name, such as com.example.Hello", true),
    /** WebAssembly: the module's exports decide how it is called; the field is optional and not used. */
    NONE(".*", "", false);

    private final Pattern pattern;
    private final String rule;
    private final boolean required;

    HandlerRule(String pattern, String rule, boolean required) {
        this.pattern = Pattern.compile(pattern);
        this.rule = rule;
        this.required = required;
    }

    /** Refuses a handler that breaks the rule; a missing one is {@code ""} where the rule allows it. */
    public String check(String handler) {
        if (handler == null || handler.isBlank()) {
            if (required) {
                throw DomainException.invalid("handler", "handler is required");
            }
            return "";
        }
        if (!pattern.matcher(handler).matches() || handler.contains("..")) {
            throw DomainException.invalid("handler", rule);
        }
        return handler;
    }
}
