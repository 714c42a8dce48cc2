package io.nimbus.store;

import io.nimbus.domain.Function;
import io.nimbus.domain.FunctionStatus;
import io.nimbus.domain.HttpRoute;
import io.nimbus.domain.PoolSpec;
import io.nimbus.domain.SandboxSpec;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** How a {@link Function} maps to a row of the functions table. */
final class FunctionRows {
    static final String COLUMNS = "id, name, description, runtime, handler, memory_mb, timeout_sec, max_instances,"
            + " env_vars, tags, status, version, code_hash, created_at, updated_at,"
            + " isolation, network, ephemeral_storage_mb, cpus,"
            + " min_instances, queue_timeout_ms, idle_ttl_sec, max_age_sec, max_invocations, build_log, http_path, http_methods";
    static final String INSERT = "INSERT INTO functions (" + COLUMNS + ")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** Everything an update may change: id, name and creation time never do. */
    static final String UPDATE = "UPDATE functions SET description = ?, runtime = ?, handler = ?, memory_mb = ?,"
            + " timeout_sec = ?, max_instances = ?, env_vars = ?, tags = ?, status = ?, version = ?, code_hash = ?,"
            + " updated_at = ?, isolation = ?, network = ?, ephemeral_storage_mb = ?, cpus = ?,"
            + " min_instances = ?, queue_timeout_ms = ?, idle_ttl_sec = ?, max_age_sec = ?, max_invocations = ?,"
            + " build_log = ?, http_path = ?, http_methods = ? WHERE id = ? AND version = ?";

    /** The columns each row of function_versions keeps of its version: the rest are the function's. */
    private static final List<String> VERSIONED = List.of("description", "runtime", "handler", "memory_mb",
            "timeout_sec", "max_instances", "env_vars", "tags", "status", "version", "code_hash", "isolation", "network",
            "ephemeral_storage_mb", "cpus", "min_instances", "queue_timeout_ms", "idle_ttl_sec", "max_age_sec",
            "max_invocations", "build_log");

    /**
     * {@link #COLUMNS} for one version, from function_versions {@code v} joined to functions
     * {@code f}, so that {@link #read} reads a version as the function it was. A column added to
     * functions and not to the version rows is read from the function.
     */
    static final String VERSION_COLUMNS = Arrays.stream(COLUMNS.split(","))
            .map(String::strip)
            .map(column -> VERSIONED.contains(column) ? "v." + column
                    : column.equals("updated_at") ? "v.created_at AS updated_at" : "f." + column)
            .collect(Collectors.joining(", "));

    static final String INSERT_VERSION = "INSERT INTO function_versions (function_id, code, created_at,"
            + " description, runtime, handler, memory_mb, timeout_sec, max_instances, env_vars, tags, status, version,"
            + " code_hash, isolation, network, ephemeral_storage_mb, cpus, min_instances, queue_timeout_ms, idle_ttl_sec,"
            + " max_age_sec, max_invocations, build_log)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private FunctionRows() {
    }

    /** Binds {@link #INSERT_VERSION}: the version is published at {@code function.updatedAt()}. */
    static void bindVersion(PreparedStatement statement, Function function, String codeJson) throws SQLException {
        statement.setString(1, function.id());
        statement.setString(2, codeJson);
        EpochMillis.bind(statement, 3, function.updatedAt());
        bindChangeable(statement, 4, function);
        bindSandbox(statement, 15, function.sandbox());
        bindPool(statement, 19, function.pool());
        statement.setString(24, function.buildLog());
    }

    static void bindInsert(PreparedStatement statement, Function function) throws SQLException {
        statement.setString(1, function.id());
        statement.setString(2, function.name());
        bindChangeable(statement, 3, function);
        EpochMillis.bind(statement, 14, function.createdAt());
        EpochMillis.bind(statement, 15, function.updatedAt());
        bindSandbox(statement, 16, function.sandbox());
        bindPool(statement, 20, function.pool());
        statement.setString(25, function.buildLog());
        bindRoute(statement, 26, function.httpRoute());
    }

    /** Binds {@link #UPDATE}: {@code function} replaces the row that is at the version before it. */
    static void bindUpdate(PreparedStatement statement, Function function) throws SQLException {
        bindChangeable(statement, 1, function);
        EpochMillis.bind(statement, 12, function.updatedAt());
        bindSandbox(statement, 13, function.sandbox());
        bindPool(statement, 17, function.pool());
        statement.setString(22, function.buildLog());
        bindRoute(statement, 23, function.httpRoute());
        statement.setString(25, function.id());
        statement.setInt(26, function.version() - 1);
    }

    private static void bindRoute(PreparedStatement statement, int first, HttpRoute route) throws SQLException {
        statement.setString(first, route == null ? null : route.path());
        statement.setString(first + 1, route == null ? null : JsonText.write(route.methods()));
    }

    private static void bindPool(PreparedStatement statement, int first, PoolSpec pool) throws SQLException {
        statement.setInt(first, pool.minInstances());
        bindOptional(statement, first + 1, pool.queueTimeoutMs());
        bindOptional(statement, first + 2, pool.idleTtlSec());
        bindOptional(statement, first + 3, pool.maxAgeSec());
        bindOptional(statement, first + 4, pool.maxInvocations());
    }

    private static void bindOptional(PreparedStatement statement, int index, Integer value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setInt(index, value);
        }
    }

    private static void bindSandbox(PreparedStatement statement, int first, SandboxSpec sandbox) throws SQLException {
        statement.setString(first, sandbox.isolation());
        statement.setString(first + 1, sandbox.network());
        statement.setInt(first + 2, sandbox.ephemeralStorageMb());
        if (sandbox.cpus() == null) {
            statement.setNull(first + 3, Types.DOUBLE);
        } else {
            statement.setDouble(first + 3, sandbox.cpus());
        }
    }

    static Function read(ResultSet row) throws SQLException {
        return new Function(
                row.getString("id"),
                row.getString("name"),
                row.getString("description"),
                row.getString("runtime"),
                row.getString("handler"),
                row.getInt("memory_mb"),
                row.getInt("timeout_sec"),
                row.getInt("max_instances"),
                JsonText.readStringMap(row.getString("env_vars")),
                JsonText.readStringList(row.getString("tags")),
                FunctionStatus.fromWire(row.getString("status")),
                row.getInt("version"),
                row.getString("code_hash"),
                EpochMillis.read(row, "created_at"),
                EpochMillis.read(row, "updated_at"),
                readSandbox(row),
                readPool(row),
                row.getString("build_log"),
                readRoute(row));
    }

    private static HttpRoute readRoute(ResultSet row) throws SQLException {
        String path = row.getString("http_path");
        return path == null ? null : new HttpRoute(path, JsonText.readStringList(row.getString("http_methods")));
    }

    private static PoolSpec readPool(ResultSet row) throws SQLException {
        return new PoolSpec(row.getInt("min_instances"), optionalInt(row, "queue_timeout_ms"),
                optionalInt(row, "idle_ttl_sec"), optionalInt(row, "max_age_sec"), optionalInt(row, "max_invocations"));
    }

    private static Integer optionalInt(ResultSet row, String column) throws SQLException {
        int value = row.getInt(column);
        return row.wasNull() ? null : value;
    }

    private static SandboxSpec readSandbox(ResultSet row) throws SQLException {
        double cpus = row.getDouble("cpus");
        Double explicitCpus = row.wasNull() ? null : cpus;
        return new SandboxSpec(row.getString("isolation"), row.getString("network"), row.getInt("ephemeral_storage_mb"),
                explicitCpus);
    }

    /** The columns from description to code_hash, in that order, from parameter {@code first} on. */
    private static void bindChangeable(PreparedStatement statement, int first, Function function) throws SQLException {
        int index = first;
        statement.setString(index++, function.description());
        statement.setString(index++, function.runtime());
        statement.setString(index++, function.handler());
        statement.setInt(index++, function.memoryMb());
        statement.setInt(index++, function.timeoutSec());
        statement.setInt(index++, function.maxInstances());
        statement.setString(index++, JsonText.write(function.envVars()));
        statement.setString(index++, JsonText.write(function.tags()));
        statement.setString(index++, function.status().wireName());
        statement.setInt(index++, function.version());
        statement.setString(index, function.codeHash());
    }
}
