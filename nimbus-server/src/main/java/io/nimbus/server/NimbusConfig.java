package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The settings in force. Each comes from, in order of precedence: a command-line flag, a
 * {@code NIMBUS_*} environment variable, the YAML file ({@code --config} or
 * {@code NIMBUS_CONFIG}), the default. Unknown YAML keys and malformed values stop the
 * server at start-up with a message naming the setting.
 */
public final class NimbusConfig {
    private final Map<Setting, String> values;

    private NimbusConfig(Map<Setting, String> values) {
        this.values = values;
    }

    /** A configuration error the operator must fix; the message says which setting. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }

    public static NimbusConfig load(Map<Setting, String> flags, String configFile, Map<String, String> environment) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            values.put(setting, setting.defaultValue());
        }
        String file = configFile != null ? configFile : environment.get("NIMBUS_CONFIG");
        if (file != null && !file.isBlank()) {
            values.putAll(readYaml(Path.of(file)));
        }
        for (Setting setting : Setting.values()) {
            String fromEnv = environment.get(setting.env());
            if (fromEnv != null) {
                values.put(setting, fromEnv);
            }
        }
        values.putAll(flags);
        NimbusConfig config = new NimbusConfig(values);
        config.check();
        return config;
    }

    public String string(Setting setting) {
        return values.get(setting);
    }

    public int integer(Setting setting) {
        String value = values.get(setting);
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(setting.key() + " (" + setting.env() + ") must be a whole number, not '" + value + "'");
        }
    }

    public Duration millis(Setting setting) {
        return Duration.ofMillis(integer(setting));
    }

    public Duration seconds(Setting setting) {
        return Duration.ofSeconds(integer(setting));
    }

    /** A comma-separated list of whole numbers, such as {@code 128,256}; empty for none. */
    public List<Integer> integers(Setting setting) {
        String value = string(setting).trim();
        if (value.isEmpty()) {
            return List.of();
        }
        try {
            return java.util.Arrays.stream(value.split(",")).map(String::trim).map(Integer::parseInt).toList();
        } catch (NumberFormatException e) {
            throw new ConfigException(setting.key() + " (" + setting.env() + ") must be whole numbers separated by commas, not '"
                    + value + "'");
        }
    }

    public boolean bool(Setting setting) {
        String value = string(setting).trim();
        if (!value.equals("true") && !value.equals("false")) {
            throw new ConfigException(setting.key() + " (" + setting.env() + ") must be true or false, not '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    public String host() {
        return string(Setting.HOST);
    }

    public Path dataDir() {
        return Path.of(string(Setting.DATA_DIR)).toAbsolutePath().normalize();
    }

    /** Where HTTP routes are served: one or more path segments, apart from the API's own paths. */
    public String routePrefix() {
        String prefix = string(Setting.HTTP_ROUTE_PREFIX);
        if (!prefix.matches("^(/[A-Za-z0-9._~-]+)+$")
                || List.of("/api", "/health", "/metrics", "/webhook").stream().anyMatch(p -> (prefix + "/").startsWith(p + "/"))) {
            throw new ConfigException("http.route_prefix (NIMBUS_HTTP_ROUTE_PREFIX) must be a path such as /fn, outside"
                    + " /api, /health, /metrics and /webhook, not '" + prefix + "'");
        }
        return prefix;
    }

    private void check() {
        for (Setting setting : Setting.values()) {
            if (setting.defaultValue().matches("\\d+") && setting != Setting.STEM_CELLS_MEMORY_MB) {
                int value = integer(setting);
                if (value < 0) {
                    throw new ConfigException(setting.key() + " must not be negative");
                }
            }
        }
        for (Setting atLeastOne : List.of(Setting.ASYNC_CONCURRENCY, Setting.DB_POOL_SIZE, Setting.MAX_INVOCATIONS,
                Setting.PIDS_MAX, Setting.RECORD_FLUSH_MS, Setting.ASYNC_POLL_MS, Setting.HEALTH_CHECK_MS,
                Setting.MAX_CONCURRENT_STARTS, Setting.MEMORY_BUDGET_PERCENT, Setting.VERSION_RETENTION)) {
            if (integer(atLeastOne) < 1) {
                throw new ConfigException(atLeastOne.key() + " (" + atLeastOne.env() + ") must be at least 1");
            }
        }
        for (int mb : integers(Setting.STEM_CELLS_MEMORY_MB)) {
            if (mb < io.nimbus.domain.Limits.MIN_MEMORY_MB || mb > io.nimbus.domain.Limits.MAX_MEMORY_MB) {
                throw new ConfigException("stem_cells.memory_mb sizes must be between " + io.nimbus.domain.Limits.MIN_MEMORY_MB
                        + " and " + io.nimbus.domain.Limits.MAX_MEMORY_MB);
            }
        }
        if (integer(Setting.MEMORY_BUDGET_PERCENT) > 100) {
            throw new ConfigException("pool.memory_budget_percent must be at most 100");
        }
        bool(Setting.ALLOW_PROCESS);
        routePrefix();
        int port = integer(Setting.PORT);
        if (port > 65535) {
            throw new ConfigException("server.port must be between 0 and 65535");
        }
        String store = string(Setting.STORE);
        if (!store.equals("sqlite") && !store.equals("postgres")) {
            throw new ConfigException("store.kind (NIMBUS_STORE, --store) must be sqlite or postgres, not '" + store + "'");
        }
        if (store.equals("postgres") && string(Setting.DB_URL).isBlank()) {
            throw new ConfigException("store.kind postgres needs store.url (NIMBUS_DB_URL, --db-url), "
                    + "for example jdbc:postgresql://127.0.0.1:5432/nimbus");
        }
        if (!List.of("namespace", "gvisor", "process").contains(string(Setting.SANDBOX))) {
            throw new ConfigException("sandbox.backend (NIMBUS_SANDBOX, --sandbox) must be namespace, gvisor or process, not '"
                    + string(Setting.SANDBOX) + "'");
        }
    }

    private static Map<Setting, String> readYaml(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("configuration file " + file + " does not exist");
        }
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            Map<Setting, String> values = new EnumMap<>(Setting.class);
            if (root != null && !root.isMissingNode() && !root.isNull()) {
                flatten("", root, values, file);
            }
            return values;
        } catch (IOException e) {
            throw new ConfigException("configuration file " + file + " is not valid YAML: " + e.getMessage());
        }
    }

    private static void flatten(String prefix, JsonNode node, Map<Setting, String> values, Path file) {
        if (!node.isObject()) {
            Setting setting = Setting.byKey(prefix);
            if (setting == null) {
                throw new ConfigException("unknown setting '" + prefix + "' in " + file);
            }
            if (node.isNull()) {
                return;
            }
            if (!node.isValueNode()) {
                throw new ConfigException("setting '" + prefix + "' in " + file + " must be a plain value, not a list or map");
            }
            values.put(setting, node.asText());
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), values, file);
        }
    }
}
