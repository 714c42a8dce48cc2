/**
 * Cron: setting a function's schedule, and the scheduler that fires due ticks as async
 * invocations (trigger_type cron), each exactly once however many nodes share the store.
 */
package io.nimbus.cron;
