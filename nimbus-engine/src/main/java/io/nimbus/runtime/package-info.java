/**
 * The runtimes Nimbus runs functions in (python3.11, nodejs20): how each is found on this
 * machine, which bootstrap speaks the wire protocol for it, and which file a handler's
 * module lives in; and how a plain-mode compiled program is run, once per invocation.
 */
package io.nimbus.runtime;
