package io.nimbus.domain;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Identifiers: UUID version 7 (RFC 9562), whose first 48 bits are the Unix time in
 * milliseconds. Sorting by id is then sorting by creation, which is what lets "newest
 * first" stay exact among invocations created in the same millisecond. Within one process
 * ids are strictly increasing: the 12-bit field after the time counts up inside a
 * millisecond (and borrows from the next when it overflows).
 */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The time (ms) and sequence of the last id, packed: time << 12 | sequence. */
    private static final AtomicLong LAST = new AtomicLong();

    private Ids() {
    }

    public static String timeOrdered() {
        long stamp = nextStamp(System.currentTimeMillis());
        long millis = stamp >>> 12;
        long sequence = stamp & 0xFFF;
        long high = (millis << 16) | (0x7L << 12) | sequence;
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private static long nextStamp(long now) {
        while (true) {
            long last = LAST.get();
            long candidate = Math.max(now << 12, last + 1);
            if (LAST.compareAndSet(last, candidate)) {
                return candidate;
            }
        }
    }
}
