package io.nimbus.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the store lives. SQLite keeps one file, {@code dataDir/nimbus.db}; PostgreSQL is
 * reached at {@code jdbcUrl}, and the tables go to the schema its {@code currentSchema}
 * parameter names (created when missing), else to the user's default schema.
 *
 * @param jdbcUrl     PostgreSQL only
 * @param dataDir     SQLite only; created when missing
 * @param user        PostgreSQL only
 * @param password    PostgreSQL only; null for trust authentication
 * @param maxPoolSize connections kept open; SQLite writes one transaction at a time whatever
 *                    the size, so a few (for concurrent readers) are enough there
 */
public record StoreConfig(Kind kind, String jdbcUrl, Path dataDir, String user, String password, int maxPoolSize) {

    public enum Kind { SQLITE, POSTGRES }

    private static final int SQLITE_POOL_SIZE = 4;

    public StoreConfig {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.SQLITE && dataDir == null) {
            throw new IllegalArgumentException("an SQLite store needs a data directory");
        }
        if (kind == Kind.POSTGRES && (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:"))) {
            throw new IllegalArgumentException("a PostgreSQL store needs a jdbc:postgresql: URL");
        }
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be at least 1");
        }
    }

    public static StoreConfig sqlite(Path dataDir) {
        return new StoreConfig(Kind.SQLITE, null, dataDir, null, null, SQLITE_POOL_SIZE);
    }

    public static StoreConfig postgres(String jdbcUrl, String user, String password, int maxPoolSize) {
        return new StoreConfig(Kind.POSTGRES, jdbcUrl, null, user, password, maxPoolSize);
    }

    /** Never shows the password: configurations end up in logs. */
    @Override
    public String toString() {
        return "StoreConfig[kind=" + kind + ", jdbcUrl=" + jdbcUrl + ", dataDir=" + dataDir + ", user=" + user
                + ", password=" + (password == null ? "none" : "***") + ", maxPoolSize=" + maxPoolSize + "]";
    }
}
