/**
 * The domain of Nimbus: functions, their code, invocations, limits and validation rules,
 * and the ports ({@link io.nimbus.domain.FunctionStore}, {@link io.nimbus.domain.InvocationStore},
 * {@link io.nimbus.domain.AsyncQueue}) that the store implements. Knows nothing of HTTP, JDBC or processes.
 */
package io.nimbus.domain;
