package io.nimbus.domain;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The validation rules of a function request. Each refusal names the field at fault;
 * nothing is half-accepted. Runtime availability and the handler's entry file are checked
 * by the runtime layer, which knows the languages.
 */
public final class FunctionValidator {
    private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9-]{0,62}$");
    private static final Pattern ENV_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,127}$");
    private static final Pattern TAG = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:=/-]{0,63}$");
    private static final String RESERVED_ENV_PREFIX = "NIMBUS_";
    private static final List<String> ISOLATIONS = List.of("namespace", "gvisor", "process");
    /** Line breaks (as the base64 tool wraps its output) are allowed in file content; nothing else outside the alphabet is. */
    private static final Pattern WHITESPACE = Pattern.compile("[\\r\\n\\t ]+");

    /**
     * Validates a create request: name, runtime, handler and code are required.
     *
     * @param layout the runtime's handler rule and name for inline source
     */
    public FunctionDefinition validateCreate(FunctionRequest request, SourceLayout layout) {
        requireName(request.name());
        require(request.runtime(), "runtime");
        String handler = layout.handlerRule().check(request.handler());
        FunctionCode code = requireCode(request.withHandler(handler), layout);
        return new FunctionDefinition(
                request.name(),
                description(request.description(), ""),
                request.runtime(),
                handler,
                code,
                memory(request.memoryMb(), Limits.DEFAULT_MEMORY_MB),
                timeout(request.timeoutSec(), Limits.DEFAULT_TIMEOUT_SEC),
                maxInstances(request.maxInstances(), Limits.DEFAULT_MAX_INSTANCES),
                envVars(request.envVars(), Map.of()),
                tags(request.tags(), List.of()),
                sandbox(request, SandboxSpec.DEFAULT),
                pool(request, PoolSpec.DEFAULT, maxInstances(request.maxInstances(), Limits.DEFAULT_MAX_INSTANCES)),
                HttpRouteValidator.route(request.httpPath(), request.httpMethods(), null));
    }

    /** Validates an update: absent fields keep the current values; code is null when unchanged. */
    public FunctionDefinition validateUpdate(Function current, FunctionRequest request, SourceLayout layout) {
        if (request.name() != null && !request.name().equals(current.name())) {
            throw DomainException.invalid("name", "a function cannot be renamed; create a new one instead");
        }
        String handler = layout.handlerRule().check(request.handler() == null ? current.handler() : request.handler());
        FunctionCode code = request.code() == null && request.files() == null
                ? null : requireCode(request.withHandler(handler), layout);
        return new FunctionDefinition(
                current.name(),
                description(request.description(), current.description()),
                request.runtime() == null ? current.runtime() : request.runtime(),
                handler,
                code,
                memory(request.memoryMb(), current.memoryMb()),
                timeout(request.timeoutSec(), current.timeoutSec()),
                maxInstances(request.maxInstances(), current.maxInstances()),
                envVars(request.envVars(), current.envVars()),
                tags(request.tags(), current.tags()),
                sandbox(request, current.sandbox()),
                pool(request, current.pool(), maxInstances(request.maxInstances(), current.maxInstances())),
                HttpRouteValidator.route(request.httpPath(), request.httpMethods(), current.httpRoute()));
    }

    /**
     * Checks one relative file path of a multi-file function: no absolute paths, no {@code ..},
     * no empty or hidden-traversal segments, nothing the file system would resolve outside the
     * function directory.
     */
    public static void requireSafePath(String path, String field) {
        if (path == null || path.isEmpty()) {
            throw DomainException.invalid(field, "file path must not be empty");
        }
        if (path.length() > Limits.MAX_PATH_LENGTH) {
            throw DomainException.invalid(field, "file path is longer than " + Limits.MAX_PATH_LENGTH + " characters");
        }
        if (path.startsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0 || path.contains(":")) {
            throw DomainException.invalid(field, "file path must be relative, with '/' separators: " + path);
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw DomainException.invalid(field, "file path escapes or is not normal: " + path);
            }
            if (segment.chars().anyMatch(Character::isISOControl)) {
                throw DomainException.invalid(field, "file path has control characters: " + path);
            }
        }
    }

    private static void requireName(String name) {
        require(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw DomainException.invalid("name",
                    "name must match ^[a-z][a-z0-9-]{0,62}$ (lowercase letters, digits and '-', starting with a letter)");
        }
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw DomainException.invalid(field, field + " is required");
        }
    }

    private static FunctionCode requireCode(FunctionRequest request, SourceLayout layout) {
        if (request.code() != null && request.files() != null) {
            throw DomainException.invalid("code", "give either code (inline source) or files, not both");
        }
        if (request.code() != null) {
            return inlineCode(request, layout);
        }
        if (request.files() != null) {
            return fileCode(request.files());
        }
        throw DomainException.invalid("code", "code (inline source) or files is required");
    }

    /**
     * Inline source becomes one file, named as the runtime says: after the handler's module
     * ({@code main.handler} gives {@code main.py}), its class, or a fixed name ({@code main.go}).
     */
    private static FunctionCode inlineCode(FunctionRequest request, SourceLayout layout) {
        byte[] source = request.code().getBytes(StandardCharsets.UTF_8);
        if (source.length > Limits.MAX_INLINE_SOURCE_BYTES) {
            throw DomainException.tooLarge("code", "inline source is " + source.length
                    + " bytes; the limit is " + Limits.MAX_INLINE_SOURCE_BYTES + " (use files for larger functions)");
        }
        if (request.code().isBlank()) {
            throw DomainException.invalid("code", "code must not be empty");
        }
        return new FunctionCode(Map.of(layout.inlineFile(request.handler()), source));
    }

    private static FunctionCode fileCode(Map<String, String> files) {
        if (files.isEmpty()) {
            throw DomainException.invalid("files", "files must name at least one file");
        }
        if (files.size() > Limits.MAX_FILES) {
            throw DomainException.invalid("files", "at most " + Limits.MAX_FILES + " files");
        }
        Map<String, byte[]> decoded = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<String, String> file : files.entrySet()) {
            String field = "files." + file.getKey();
            requireSafePath(file.getKey(), field);
            if (file.getValue() == null) {
                throw DomainException.invalid(field, "file content must be base64 text");
            }
            byte[] content;
            try {
                content = Base64.getDecoder().decode(WHITESPACE.matcher(file.getValue()).replaceAll(""));
            } catch (IllegalArgumentException e) {
                throw DomainException.invalid(field, "file content is not valid base64");
            }
            total += content.length;
            if (total > Limits.MAX_PACKAGE_BYTES) {
                throw DomainException.tooLarge("files", "the package is larger than " + Limits.MAX_PACKAGE_BYTES + " bytes");
            }
            decoded.put(file.getKey(), content);
        }
        requireNoFileDirectoryClash(decoded.keySet());
        return new FunctionCode(decoded);
    }

    /** {@code a} and {@code a/b} cannot both be files. */
    private static void requireNoFileDirectoryClash(java.util.Set<String> paths) {
        for (String path : paths) {
            int slash = path.indexOf('/');
            while (slash > 0) {
                String parent = path.substring(0, slash);
                if (paths.contains(parent)) {
                    throw DomainException.invalid("files." + parent, "'" + parent + "' is both a file and a directory");
                }
                slash = path.indexOf('/', slash + 1);
            }
        }
    }

    private static String description(String value, String fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.length() > Limits.MAX_DESCRIPTION_LENGTH) {
            throw DomainException.invalid("description", "description is longer than " + Limits.MAX_DESCRIPTION_LENGTH + " characters");
        }
        return value;
    }

    private static int memory(Integer value, int fallback) {
        return inRange(value, fallback, Limits.MIN_MEMORY_MB, Limits.MAX_MEMORY_MB, "memory_mb");
    }

    private static int timeout(Integer value, int fallback) {
        return inRange(value, fallback, Limits.MIN_TIMEOUT_SEC, Limits.MAX_TIMEOUT_SEC, "timeout_sec");
    }

    private static int maxInstances(Integer value, int fallback) {
        return inRange(value, fallback, Limits.MIN_INSTANCES_CAP, Limits.MAX_INSTANCES_CAP, "max_instances");
    }

    private static int inRange(Integer value, int fallback, int min, int max, String field) {
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            throw DomainException.invalid(field, field + " must be between " + min + " and " + max);
        }
        return value;
    }

    private static PoolSpec pool(FunctionRequest request, PoolSpec current, int maxInstances) {
        int minInstances = inRange(request.minInstances(), current.minInstances(), 0, Limits.MAX_INSTANCES_CAP,
                "min_instances");
        if (minInstances > maxInstances) {
            throw DomainException.invalid("min_instances", "min_instances must not exceed max_instances (" + maxInstances + ")");
        }
        return new PoolSpec(minInstances,
                optionalInRange(request.queueTimeoutMs(), current.queueTimeoutMs(), 0, Limits.MAX_QUEUE_TIMEOUT_MS,
                        "queue_timeout_ms"),
                optionalInRange(request.idleTtlSec(), current.idleTtlSec(), 1, Limits.MAX_IDLE_TTL_SEC, "idle_ttl_sec"),
                optionalInRange(request.maxAgeSec(), current.maxAgeSec(), 1, Limits.MAX_AGE_SEC, "max_age_sec"),
                optionalInRange(request.maxInvocations(), current.maxInvocations(), 1,
                        Limits.MAX_INVOCATIONS_PER_INSTANCE, "max_invocations"));
    }

    /** Like {@link #inRange} for a setting whose absence means the server's default. */
    private static Integer optionalInRange(Integer value, Integer fallback, int min, int max, String field) {
        if (value == null) {
            return fallback;
        }
        return inRange(value, 0, min, max, field);
    }

    private static SandboxSpec sandbox(FunctionRequest request, SandboxSpec current) {
        String isolation = request.isolation() == null ? current.isolation() : request.isolation();
        if (isolation != null && !ISOLATIONS.contains(isolation)) {
            throw DomainException.invalid("isolation", "isolation must be one of " + String.join(", ", ISOLATIONS));
        }
        String network = request.network() == null ? current.network() : request.network();
        if (!network.equals(SandboxSpec.NETWORK_NONE) && !network.equals(SandboxSpec.NETWORK_HOST)) {
            throw DomainException.invalid("network", "network must be 'none' or 'host'");
        }
        int storage = inRange(request.ephemeralStorageMb(), current.ephemeralStorageMb(),
                Limits.MIN_EPHEMERAL_STORAGE_MB, Limits.MAX_EPHEMERAL_STORAGE_MB, "ephemeral_storage_mb");
        Double cpus = request.cpus() == null ? current.cpus() : request.cpus();
        if (cpus != null && (cpus.isNaN() || cpus < Limits.MIN_CPUS || cpus > Limits.MAX_CPUS)) {
            throw DomainException.invalid("cpus", "cpus must be between " + Limits.MIN_CPUS + " and " + Limits.MAX_CPUS);
        }
        return new SandboxSpec(isolation, network, storage, cpus);
    }

    private static Map<String, String> envVars(Map<String, String> value, Map<String, String> fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.size() > Limits.MAX_ENV_VARS) {
            throw DomainException.invalid("env_vars", "at most " + Limits.MAX_ENV_VARS + " environment variables");
        }
        for (Map.Entry<String, String> variable : value.entrySet()) {
            String field = "env_vars." + variable.getKey();
            if (!ENV_NAME.matcher(variable.getKey()).matches()) {
                throw DomainException.invalid(field, "environment variable names must match ^[A-Za-z_][A-Za-z0-9_]*$");
            }
            if (variable.getKey().toUpperCase(java.util.Locale.ROOT).startsWith(RESERVED_ENV_PREFIX)) {
                throw DomainException.invalid(field, "names starting with NIMBUS_ are reserved for the platform");
            }
            if (variable.getValue() == null) {
                throw DomainException.invalid(field, "environment variable values must be strings");
            }
            if (variable.getValue().indexOf('\0') >= 0) {
                throw DomainException.invalid(field, "environment variable values must not contain NUL");
            }
            if (variable.getValue().getBytes(StandardCharsets.UTF_8).length > Limits.MAX_ENV_VALUE_BYTES) {
                throw DomainException.invalid(field, "environment variable values are limited to " + Limits.MAX_ENV_VALUE_BYTES + " bytes");
            }
        }
        return value;
    }

    private static List<String> tags(List<String> value, List<String> fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.size() > Limits.MAX_TAGS) {
            throw DomainException.invalid("tags", "at most " + Limits.MAX_TAGS + " tags");
        }
        for (String tag : value) {
            if (tag == null || !TAG.matcher(tag).matches()) {
                throw DomainException.invalid("tags", "tags must match ^[A-Za-z0-9][A-Za-z0-9_.:=/-]{0,63}$: " + tag);
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(value));
    }
}
