/**
 * The java25 runtime's own processes, not for functions to call: {@link io.nimbus.sdk.internal.Worker}
 * speaks the wire protocol (docs/protocol.md) and runs one function's handler;
 * {@link io.nimbus.sdk.internal.SourceCompiler} compiles a function's sources with javax.tools.
 */
package io.nimbus.sdk.internal;
