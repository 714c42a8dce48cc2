/**
 * The program: configuration (YAML, NIMBUS_* environment, flags), the one place where the
 * parts are wired together ({@link io.nimbus.server.Nimbus}), and {@code main}.
 */
package io.nimbus.server;
