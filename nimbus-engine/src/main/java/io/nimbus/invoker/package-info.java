/**
 * The invocation use case: resolve the function, take an instance, run, time out, record.
 * Synchronous calls run on the caller's thread; asynchronous ones go through the durable
 * queue and its dispatcher. Records are written off the hot path, in batches.
 */
package io.nimbus.invoker;
