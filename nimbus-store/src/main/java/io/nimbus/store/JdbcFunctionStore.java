package io.nimbus.store;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.FunctionCode;
import io.nimbus.domain.FunctionQuery;
import io.nimbus.domain.FunctionStatus;
import io.nimbus.domain.FunctionStore;
import io.nimbus.domain.HttpRoute;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Functions in the functions table, each version's code in function_versions. The version
 * column doubles as an optimistic lock: an update applies only to the version it was made from.
 */
public final class JdbcFunctionStore implements FunctionStore {
    private static final String SELECT = "SELECT " + FunctionRows.COLUMNS + " FROM functions";
    private static final String SELECT_VERSION = "SELECT " + FunctionRows.VERSION_COLUMNS
            + " FROM function_versions v JOIN functions f ON f.id = v.function_id";
    private static final String HAS_TAG =
            "EXISTS (SELECT 1 FROM function_tags t WHERE t.function_id = functions.id AND t.tag = ?)";

    private final Database database;

    public JdbcFunctionStore(Database database) {
        this.database = database;
    }

    @Override
    public void create(Function function, FunctionCode code) {
        requireMatchingHash(function, code);
        database.inTransaction("create function " + function.name(), connection -> {
            insertRow(connection, function);
            insertRoute(connection, function);
            insertTags(connection, function);
            insertVersion(connection, function, code);
            return null;
        });
    }

    @Override
    public void update(Function function, FunctionCode code) {
        requireMatchingHash(function, code);
        database.inTransaction("update function " + function.name(), connection -> {
            if (updateRow(connection, function) == 0) {
                throw missingOrOutdated(connection, function);
            }
            deleteRoute(connection, function.id());
            insertRoute(connection, function);
            deleteTags(connection, function.id());
            insertTags(connection, function);
            insertVersion(connection, function, code);
            return null;
        });
    }

    @Override
    public Optional<Function> findById(String id) {
        return findOne("find function " + id, SELECT + " WHERE id = ?", id);
    }

    @Override
    public Optional<Function> findByName(String name) {
        return findOne("find function " + name, SELECT + " WHERE name = ?", name);
    }

    @Override
    public List<Function> routed() {
        return database.withConnection("find functions with HTTP routes", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(SELECT + " WHERE http_path IS NOT NULL")) {
                return readAll(statement);
            }
        });
    }

    @Override
    public List<Function> list(FunctionQuery query) {
        Filters filters = new Filters()
                .where("name = ?", query.name())
                .where("runtime = ?", query.runtime())
                .where(HAS_TAG, query.tag())
                .where("status = ?", query.status() == null ? null : query.status().wireName());
        String sql = SELECT + filters.sql() + " ORDER BY created_at DESC, name LIMIT ? OFFSET ?";
        return database.withConnection("list functions", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int next = filters.bind(statement);
                statement.setInt(next, query.limit());
                statement.setInt(next + 1, query.offset());
                return readAll(statement);
            }
        });
    }

    /** Versions, tags, invocations and queued work go with it (ON DELETE CASCADE). */
    @Override
    public boolean delete(String id) {
        return database.withConnection("delete function " + id, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("DELETE FROM functions WHERE id = ?")) {
                statement.setString(1, id);
                return statement.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Optional<FunctionCode> findCode(String functionId, int version) {
        String sql = "SELECT code FROM function_versions WHERE function_id = ? AND version = ?";
        return database.withConnection("find code of function " + functionId, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, functionId);
                statement.setInt(2, version);
                try (ResultSet row = statement.executeQuery()) {
                    return row.next()
                            ? Optional.of(new FunctionCode(JsonText.readFiles(row.getString("code"))))
                            : Optional.empty();
                }
            }
        });
    }

    /** The version row keeps its build's end whether or not it is still current: name:3 may run it later. */
    @Override
    public boolean finishBuild(String functionId, int version, FunctionStatus status, String buildLog) {
        String current = "UPDATE functions SET status = ?, build_log = ? WHERE id = ? AND version = ? AND status = ?";
        String published = "UPDATE function_versions SET status = ?, build_log = ?"
                + " WHERE function_id = ? AND version = ? AND status = ?";
        return database.inTransaction("finish build of function " + functionId, connection -> {
            finishBuild(connection, published, functionId, version, status, buildLog);
            return finishBuild(connection, current, functionId, version, status, buildLog);
        });
    }

    private static boolean finishBuild(Connection connection, String sql, String functionId, int version,
                                       FunctionStatus status, String buildLog) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, status.wireName());
            statement.setString(2, buildLog);
            statement.setString(3, functionId);
            statement.setInt(4, version);
            statement.setString(5, FunctionStatus.BUILDING.wireName());
            return statement.executeUpdate() > 0;
        }
    }

    @Override
    public Optional<Function> findVersion(String functionId, int version) {
        String sql = SELECT_VERSION + " WHERE v.function_id = ? AND v.version = ?";
        return database.withConnection("find version " + version + " of function " + functionId, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, functionId);
                statement.setInt(2, version);
                return readAll(statement).stream().findFirst();
            }
        });
    }

    @Override
    public List<Function> versions(String functionId) {
        String sql = SELECT_VERSION + " WHERE v.function_id = ? ORDER BY v.version DESC";
        return database.withConnection("list versions of function " + functionId, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, functionId);
                return readAll(statement);
            }
        });
    }

    @Override
    public List<Integer> deleteVersionsBelow(String functionId, int lowestKept) {
        String doomed = " FROM function_versions WHERE function_id = ? AND version < ?"
                + " AND version NOT IN (SELECT a.version FROM function_aliases a WHERE a.function_id = ?)"
                + " AND version NOT IN (SELECT a.additional_version FROM function_aliases a"
                + " WHERE a.function_id = ? AND a.additional_version IS NOT NULL)";
        return database.inTransaction("delete old versions of function " + functionId, connection -> {
            List<Integer> versions = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT version" + doomed)) {
                bindDoomed(select, functionId, lowestKept);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        versions.add(rows.getInt("version"));
                    }
                }
            }
            try (PreparedStatement delete = connection.prepareStatement("DELETE" + doomed)) {
                bindDoomed(delete, functionId, lowestKept);
                delete.executeUpdate();
            }
            return versions;
        });
    }

    private static void bindDoomed(PreparedStatement statement, String functionId, int lowestKept) throws SQLException {
        statement.setString(1, functionId);
        statement.setInt(2, lowestKept);
        statement.setString(3, functionId);
        statement.setString(4, functionId);
    }

    @Override
    public List<Function> building() {
        return database.withConnection("find functions still building", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(SELECT + " WHERE status = ?")) {
                statement.setString(1, FunctionStatus.BUILDING.wireName());
                return readAll(statement);
            }
        });
    }

    /** The function row names the code its version row holds; a mismatch is a caller's bug. */
    private static void requireMatchingHash(Function function, FunctionCode code) {
        if (!code.hash().equals(function.codeHash())) {
            throw new IllegalArgumentException("function " + function.name() + " names code " + function.codeHash()
                    + " but was given code " + code.hash());
        }
    }

    private static void insertRow(Connection connection, Function function) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(FunctionRows.INSERT)) {
            FunctionRows.bindInsert(statement, function);
            statement.executeUpdate();
        } catch (SQLException e) {
            if (SqlErrors.isUniqueViolation(e)) {
                throw DomainException.conflict("name", "a function named '" + function.name() + "' already exists");
            }
            throw e;
        }
    }

    private static int updateRow(Connection connection, Function function) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(FunctionRows.UPDATE)) {
            FunctionRows.bindUpdate(statement, function);
            return statement.executeUpdate();
        }
    }

    /** Why an update matched no row: the function is gone, or another update moved it on. */
    private static DomainException missingOrOutdated(Connection connection, Function function) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT version FROM functions WHERE id = ?")) {
            statement.setString(1, function.id());
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return DomainException.notFound("function", function.name());
                }
                return DomainException.conflict("version", "function '" + function.name() + "' is at version "
                        + row.getInt("version") + ", not " + (function.version() - 1) + ": another update got there first");
            }
        }
    }

    /** The key of function_routes refuses a route another function serves; the transaction then writes nothing. */
    private static void insertRoute(Connection connection, Function function) throws SQLException {
        HttpRoute route = function.httpRoute();
        if (route == null) {
            return;
        }
        String sql = "INSERT INTO function_routes (method, shape, function_id) VALUES (?, ?, ?)";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (String method : route.methods()) {
                statement.setString(1, method);
                statement.setString(2, route.shape());
                statement.setString(3, function.id());
                statement.addBatch();
            }
            statement.executeBatch();
        } catch (SQLException e) {
            if (SqlErrors.isUniqueViolation(e)) {
                throw DomainException.conflict("http_path", "another function already serves "
                        + String.join(" or ", route.methods()) + " " + route.shape() + " (parameter names aside)");
            }
            throw e;
        }
    }

    private static void deleteRoute(Connection connection, String functionId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("DELETE FROM function_routes WHERE function_id = ?")) {
            statement.setString(1, functionId);
            statement.executeUpdate();
        }
    }

    private static void deleteTags(Connection connection, String functionId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("DELETE FROM function_tags WHERE function_id = ?")) {
            statement.setString(1, functionId);
            statement.executeUpdate();
        }
    }

    private static void insertTags(Connection connection, Function function) throws SQLException {
        String sql = "INSERT INTO function_tags (function_id, tag) VALUES (?, ?)";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (String tag : function.tags().stream().distinct().toList()) {
                statement.setString(1, function.id());
                statement.setString(2, tag);
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    private static void insertVersion(Connection connection, Function function, FunctionCode code) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(FunctionRows.INSERT_VERSION)) {
            FunctionRows.bindVersion(statement, function, JsonText.write(code.files()));
            statement.executeUpdate();
        }
    }

    private Optional<Function> findOne(String action, String sql, String key) {
        return database.withConnection(action, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, key);
                return readAll(statement).stream().findFirst();
            }
        });
    }

    private static List<Function> readAll(PreparedStatement statement) throws SQLException {
        List<Function> functions = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                functions.add(FunctionRows.read(rows));
            }
        }
        return functions;
    }
}
