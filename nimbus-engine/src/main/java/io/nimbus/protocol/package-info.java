/**
 * The wire protocol between the host and a runtime worker: length-prefixed frames
 * (Init, Exec, Resp, Ping, Stop, Reload, Log) over a pair of file descriptors of the
 * worker's own. Specified in docs/protocol.md.
 */
package io.nimbus.protocol;
