package io.nimbus.domain;

/** The hard limits of the platform, in one place so that the API, the pool and the docs agree. */
public final class Limits {
    public static final int MAX_NAME_LENGTH = 63;
    public static final int MAX_INLINE_SOURCE_BYTES = 512 * 1024;
    public static final long MAX_PACKAGE_BYTES = 50L * 1024 * 1024;
    public static final int MAX_FILES = 1000;
    public static final int MAX_PATH_LENGTH = 255;
    public static final int MIN_MEMORY_MB = 64;
    public static final int MAX_MEMORY_MB = 10240;
    public static final int DEFAULT_MEMORY_MB = 256;
    public static final int MIN_TIMEOUT_SEC = 1;
    public static final int MAX_TIMEOUT_SEC = 900;
    public static final int DEFAULT_TIMEOUT_SEC = 30;
    public static final int MIN_INSTANCES_CAP = 1;
    public static final int MAX_INSTANCES_CAP = 1000;
    public static final int DEFAULT_MAX_INSTANCES = 10;
    public static final int MAX_DESCRIPTION_LENGTH = 1024;
    public static final int MAX_QUEUE_TIMEOUT_MS = 900_000;
    public static final int MAX_IDLE_TTL_SEC = 86_400;
    public static final int MAX_AGE_SEC = 7 * 86_400;
    public static final int MAX_INVOCATIONS_PER_INSTANCE = 10_000_000;
    public static final int MIN_EPHEMERAL_STORAGE_MB = 16;
    public static final int MAX_EPHEMERAL_STORAGE_MB = 10240;
    public static final int DEFAULT_EPHEMERAL_STORAGE_MB = 64;
    public static final double MIN_CPUS = 0.05;
    public static final double MAX_CPUS = 64;
    public static final int MAX_ENV_VARS = 100;
    public static final int MAX_ENV_VALUE_BYTES = 4096;
    public static final int MAX_TAGS = 50;
    public static final int MAX_TAG_LENGTH = 64;
    /** Request and response payloads: 6 MiB, as Lambda's synchronous limit. */
    public static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
    /** Logs kept per invocation; beyond it a truncation marker is appended. */
    public static final int MAX_LOG_BYTES = 64 * 1024;
    public static final String LOG_TRUNCATION_MARKER = "\n[nimbus: log truncated at 65536 bytes]\n";
    public static final int MAX_PAGE_SIZE = 1000;
    public static final int DEFAULT_PAGE_SIZE = 50;

    private Limits() {
    }
}
