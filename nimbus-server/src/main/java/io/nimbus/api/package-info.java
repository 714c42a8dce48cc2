/**
 * The HTTP API: routes declared in one place ({@link io.nimbus.api.ApiRoutes}), small
 * handlers that parse, call one use case and map the result, and the one JSON error shape.
 */
package io.nimbus.api;
