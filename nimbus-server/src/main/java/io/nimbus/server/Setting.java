package io.nimbus.server;

/**
 * Every configuration setting: its key in the YAML file, its environment variable and its
 * default. The README's configuration table lists the same settings.
 */
public enum Setting {
    HOST("server.host", "NIMBUS_HOST", "127.0.0.1"),
    PORT("server.port", "NIMBUS_PORT", "8080"),
    DATA_DIR("data_dir", "NIMBUS_DATA_DIR", "./.nimbus"),
    STORE("store.kind", "NIMBUS_STORE", "sqlite"),
    DB_URL("store.url", "NIMBUS_DB_URL", ""),
    DB_USER("store.user", "NIMBUS_DB_USER", ""),
    DB_PASSWORD("store.password", "NIMBUS_DB_PASSWORD", ""),
    DB_POOL_SIZE("store.max_pool_size", "NIMBUS_DB_POOL_SIZE", "8"),
    SANDBOX("sandbox.backend", "NIMBUS_SANDBOX", "namespace"),
    PIDS_MAX("sandbox.pids_max", "NIMBUS_SANDBOX_PIDS_MAX", "64"),
    ALLOW_PROCESS("sandbox.allow_process", "NIMBUS_SANDBOX_ALLOW_PROCESS", "false"),
    QUEUE_TIMEOUT_MS("pool.queue_timeout_ms", "NIMBUS_POOL_QUEUE_TIMEOUT_MS", "10000"),
    IDLE_TTL_SEC("pool.idle_ttl_sec", "NIMBUS_POOL_IDLE_TTL_SEC", "600"),
    MAX_AGE_SEC("pool.max_age_sec", "NIMBUS_POOL_MAX_AGE_SEC", "3600"),
    MAX_INVOCATIONS("pool.max_invocations", "NIMBUS_POOL_MAX_INVOCATIONS", "10000"),
    INIT_TIMEOUT_MS("pool.init_timeout_ms", "NIMBUS_POOL_INIT_TIMEOUT_MS", "10000"),
    HEALTH_CHECK_MS("pool.health_check_interval_ms", "NIMBUS_POOL_HEALTH_CHECK_MS", "10000"),
    FORK_TEMPLATES("pool.fork_templates", "NIMBUS_POOL_FORK_TEMPLATES", "true"),
    FORK_AFTER_INIT_MS("pool.fork_after_init_ms", "NIMBUS_POOL_FORK_AFTER_INIT_MS", "20"),
    MAX_CONCURRENT_STARTS("pool.max_concurrent_starts", "NIMBUS_POOL_MAX_CONCURRENT_STARTS", "4"),
    MEMORY_BUDGET_PERCENT("pool.memory_budget_percent", "NIMBUS_POOL_MEMORY_BUDGET_PERCENT", "75"),
    MEMORY_BUDGET_MB("pool.memory_budget_mb", "NIMBUS_POOL_MEMORY_BUDGET_MB", "0"),
    STEM_CELLS_TARGET("stem_cells.target", "NIMBUS_STEM_CELLS_TARGET", "2"),
    STEM_CELLS_MEMORY_MB("stem_cells.memory_mb", "NIMBUS_STEM_CELLS_MEMORY_MB", "256"),
    RECORD_FLUSH_MS("invocations.flush_interval_ms", "NIMBUS_RECORD_FLUSH_MS", "100"),
    ASYNC_CONCURRENCY("async.concurrency", "NIMBUS_ASYNC_CONCURRENCY", "64"),
    ASYNC_POLL_MS("async.poll_interval_ms", "NIMBUS_ASYNC_POLL_MS", "500"),
    ASYNC_RETRY_BASE_MS("async.retry_base_ms", "NIMBUS_ASYNC_RETRY_BASE_MS", "1000"),
    ASYNC_RETRY_MAX_MS("async.retry_max_ms", "NIMBUS_ASYNC_RETRY_MAX_MS", "60000"),
    CRON_POLL_MS("cron.poll_interval_ms", "NIMBUS_CRON_POLL_MS", "1000"),
    CRON_MISFIRE_GRACE_MS("cron.misfire_grace_ms", "NIMBUS_CRON_MISFIRE_GRACE_MS", "10000"),
    FUNCTION_CACHE_TTL_MS("functions.cache_ttl_ms", "NIMBUS_FUNCTION_CACHE_TTL_MS", "1000"),
    VERSION_RETENTION("functions.version_retention", "NIMBUS_FUNCTION_VERSION_RETENTION", "10"),
    HTTP_ROUTE_PREFIX("http.route_prefix", "NIMBUS_HTTP_ROUTE_PREFIX", "/fn"),
    BUILDS_CONCURRENCY("builds.concurrency", "NIMBUS_BUILDS_CONCURRENCY", "2"),
    BUILDS_TIMEOUT_SEC("builds.timeout_sec", "NIMBUS_BUILDS_TIMEOUT_SEC", "120"),
    PYTHON("runtimes.python", "NIMBUS_PYTHON", "python3"),
    NODE("runtimes.node", "NIMBUS_NODE", "node"),
    SHUTDOWN_GRACE_SEC("server.shutdown_grace_sec", "NIMBUS_SHUTDOWN_GRACE_SEC", "30");

    private final String key;
    private final String env;
    private final String defaultValue;

    Setting(String key, String env, String defaultValue) {
        this.key = key;
        this.env = env;
        this.defaultValue = defaultValue;
    }

    public String key() {
        return key;
    }

    public String env() {
        return env;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public static Setting byKey(String key) {
        for (Setting setting : values()) {
            if (setting.key.equals(key)) {
                return setting;
            }
        }
        return null;
    }
}
