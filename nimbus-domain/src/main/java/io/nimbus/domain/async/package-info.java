/**
 * Reliable async invocation: per-function retry and destination settings, the attempts of a
 * retried invocation, dead letters and idempotency keys, and the store ports that keep them.
 */
package io.nimbus.domain.async;
