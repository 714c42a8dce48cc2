/**
 * Instances and their pools: a live worker bound to one function version for life
 * ({@link io.nimbus.pool.Instance}), the pool of a version with its concurrency cap
 * ({@link io.nimbus.pool.InstancePool}), and the registry that reaps and retires them.
 */
package io.nimbus.pool;
