package io.nimbus.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The store's connection pool, with the schema migrated to the latest version when opened.
 * The JDBC stores run their statements through {@link #inTransaction} and {@link #withConnection}.
 *
 * <p>SQLite lets one transaction write at a time. Every SQLite transaction here begins
 * IMMEDIATE: it takes the write lock first, waiting up to the busy timeout for the current
 * writer. A deferred transaction that reads and then writes could instead find, on upgrading,
 * that another writer got in between, and SQLite refuses that at once with SQLITE_BUSY.
 */
public final class Database implements AutoCloseable {
    static final String SQLITE_FILE = "nimbus.db";
    private static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;

    /** Statements to run on one pooled connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final StoreConfig.Kind kind;
    private final HikariDataSource pool;

    /**
     * Connects and migrates the schema to the latest version.
     *
     * @throws StoreException when the database cannot be reached or migrated
     */
    public Database(StoreConfig config) {
        this.kind = config.kind();
        this.pool = openPool(config);
        try {
            migrate(pool, schema(config));
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    public StoreConfig.Kind kind() {
        return kind;
    }

    /** True when a trivial query works: what a health check asks. */
    public boolean ping() {
        try (Connection connection = pool.getConnection();
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT 1")) {
            return result.next();
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    <T> T inTransaction(String action, Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                // Switching auto-commit back on commits (JDBC says so). Unlike commit(), it does not make
                // sqlite-jdbc begin the next transaction at once, which in IMMEDIATE mode would take
                // the write lock again until the connection goes back to the pool.
                connection.setAutoCommit(true);
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(connection, e);
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("could not " + action + ": " + SqlErrors.summary(e), e);
        }
    }

    /** Runs {@code work} in auto-commit mode: for reads and single statements. */
    <T> T withConnection(String action, Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException("could not " + action + ": " + SqlErrors.summary(e), e);
        }
    }

    /** A pooled connection, for tests that look at connection settings. */
    Connection connection() throws SQLException {
        return pool.getConnection();
    }

    private static void rollback(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static HikariDataSource openPool(StoreConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("nimbus-store");
        hikari.setMaximumPoolSize(config.maxPoolSize());
        // /health asks the store with ping(): a database that is down must answer within seconds, not 30
        hikari.setConnectionTimeout(5_000);
        switch (config.kind()) {
            case SQLITE -> hikari.setDataSource(sqlite(config.dataDir()));
            case POSTGRES -> {
                hikari.setJdbcUrl(config.jdbcUrl());
                hikari.setUsername(config.user());
                hikari.setPassword(config.password());
            }
        }
        try {
            return new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new StoreException("could not connect to the " + config.kind() + " store: " + e.getMessage(), e);
        }
    }

    /** sqlite-jdbc applies these settings to every connection it opens, so every pooled connection has them. */
    private static DataSource sqlite(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new StoreException("could not create the data directory " + dataDir + ": " + e.getMessage(), e);
        }
        SQLiteConfig settings = new SQLiteConfig();
        settings.setJournalMode(SQLiteConfig.JournalMode.WAL);
        settings.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        settings.enforceForeignKeys(true);
        settings.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
        settings.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource dataSource = new SQLiteDataSource(settings);
        dataSource.setUrl("jdbc:sqlite:" + dataDir.resolve(SQLITE_FILE));
        return dataSource;
    }

    /**
     * The schema the tables belong in: the first schema of the PostgreSQL URL's
     * {@code currentSchema}, which is where the pooled connections look them up. Null when the
     * URL names none (the connection's default then) and for SQLite, which has no schemas.
     */
    private static String schema(StoreConfig config) {
        if (config.kind() != StoreConfig.Kind.POSTGRES) {
            return null;
        }
        Properties url = org.postgresql.Driver.parseURL(config.jdbcUrl(), null);
        String searchPath = url == null ? null : url.getProperty("currentSchema");
        return searchPath == null || searchPath.isBlank() ? null : searchPath.split(",")[0].trim();
    }

    /** Flyway creates {@code schema} when it is missing, then migrates inside it. */
    private static void migrate(DataSource dataSource, String schema) {
        FluentConfiguration flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration");
        if (schema != null) {
            flyway.schemas(schema);
        }
        try {
            flyway.load().migrate();
        } catch (FlywayException e) {
            throw new StoreException("could not migrate the store's schema: " + e.getMessage(), e);
        }
    }
}
