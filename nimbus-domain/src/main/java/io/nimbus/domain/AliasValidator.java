package io.nimbus.domain;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * The rules of an alias. Its name starts with a letter, so that {@code name:3} always means
 * version 3 and {@code name:prod} an alias; {@code latest} is kept for the latest version.
 * Whether the versions exist is the store's to check, in the same statement that saves it.
 */
public final class AliasValidator {
    private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_-]{0,62}$");
    private static final String LATEST = "latest";

    /** A new alias of {@code functionId} as the request describes it. */
    public Alias validateCreate(String functionId, AliasRequest request, Instant now) {
        requireName(request.name());
        return targets(functionId, request.name(), request, now, now);
    }

    /** {@code current} with the versions and weight of {@code request}: a PUT replaces them all. */
    public Alias validateReplace(Alias current, AliasRequest request, Instant now) {
        if (request.name() != null && !request.name().equals(current.name())) {
            throw DomainException.invalid("name", "an alias cannot be renamed; create a new one instead");
        }
        return targets(current.functionId(), current.name(), request, current.createdAt(), now);
    }

    /** Whether {@code qualifier} could name an alias at all. */
    public static boolean isAliasName(String qualifier) {
        return NAME.matcher(qualifier).matches();
    }

    private static Alias targets(String functionId, String name, AliasRequest request, Instant createdAt, Instant now) {
        if (request.version() == null) {
            throw DomainException.invalid("version", "version is required");
        }
        requireVersion(request.version(), "version");
        if (request.additionalVersion() == null) {
            if (request.weight() != null && request.weight() != 0) {
                throw DomainException.invalid("weight", "weight needs an additional_version to send calls to");
            }
            return new Alias(functionId, name, request.version(), null, 0, createdAt, now);
        }
        requireVersion(request.additionalVersion(), "additional_version");
        if (request.additionalVersion().equals(request.version())) {
            throw DomainException.invalid("additional_version", "additional_version must differ from version");
        }
        Double weight = request.weight();
        if (weight == null || weight.isNaN() || weight < 0 || weight > 1) {
            throw DomainException.invalid("weight", "weight must be a number between 0 and 1: the additional version's share");
        }
        return new Alias(functionId, name, request.version(), request.additionalVersion(), weight, createdAt, now);
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank()) {
            throw DomainException.invalid("name", "name is required");
        }
        if (!isAliasName(name) || name.equals(LATEST)) {
            throw DomainException.invalid("name", "an alias name must match ^[a-z][a-z0-9_-]{0,62}$ and not be 'latest'");
        }
    }

    private static void requireVersion(int version, String field) {
        if (version < 1) {
            throw DomainException.invalid(field, field + " must be a version number, 1 or more");
        }
    }
}
