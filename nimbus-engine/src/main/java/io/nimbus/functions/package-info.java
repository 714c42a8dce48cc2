/**
 * Managing functions: create, update (a new version), delete, look up by id or name with a
 * short-lived cache, and the code directories workers load functions from.
 */
package io.nimbus.functions;
