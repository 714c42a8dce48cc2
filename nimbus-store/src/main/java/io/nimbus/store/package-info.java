/**
 * The domain's stores over JDBC: SQLite (embedded, one file in the data directory) and
 * PostgreSQL (shared by several nodes), one portable schema migrated by Flyway, and the
 * embedded durable async queue.
 */
package io.nimbus.store;
