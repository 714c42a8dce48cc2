package io.nimbus.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The WHERE clause of a list query, built from optional filters: a null value filters nothing. */
final class Filters {
    private final List<String> conditions = new ArrayList<>();
    private final List<Object> values = new ArrayList<>();

    /** Adds {@code condition}, which has one parameter, unless {@code value} is null. */
    Filters where(String condition, Object value) {
        if (value != null) {
            conditions.add(condition);
            values.add(value);
        }
        return this;
    }

    /** " WHERE a AND b", or nothing without filters. */
    String sql() {
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    /** Binds the filters' values from the first parameter on, and returns the next parameter's index. */
    int bind(PreparedStatement statement) throws SQLException {
        int index = 1;
        for (Object value : values) {
            statement.setObject(index++, value);
        }
        return index;
    }
}
