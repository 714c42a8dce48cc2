/**
 * What a Java function is written against: {@link io.nimbus.sdk.Handler}, the
 * {@link io.nimbus.sdk.Context} of an invocation, and {@link io.nimbus.sdk.Json}, the JSON
 * reader and writer that turns events into plain Java values and results back into JSON.
 */
package io.nimbus.sdk;
