/**
 * The runtimes Nimbus runs functions in (python3.11, nodejs20): how each is found on this
 * machine, which bootstrap speaks the wire protocol for it, and which file a handler's
 * module lives in.
 */
package io.nimbus.runtime;
