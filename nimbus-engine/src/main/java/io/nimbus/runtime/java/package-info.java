/**
 * The java25 runtime's host side: the worker image (the worker jar and its AOT cache, made
 * once per data directory), the JVM options of a worker sized from its limits, and the
 * command that compiles a function's sources in a JVM of its own.
 */
package io.nimbus.runtime.java;
