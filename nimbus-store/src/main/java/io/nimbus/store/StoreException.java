package io.nimbus.store;

/**
 * The store could not do what was asked: the database is unreachable, refused a statement, or
 * holds data it cannot read. Unlike a {@link io.nimbus.domain.DomainException}, nothing the
 * caller sent is at fault. The transaction, if any, was rolled back.
 */
public class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
