/**
 * Sandbox backends: how a worker process is started and confined. This backend is
 * {@code process} (no isolation, development only); namespace and microVM backends come
 * behind the same {@link io.nimbus.sandbox.SandboxBackend} interface.
 */
package io.nimbus.sandbox;
