package io.nimbus.sdk.internal;

import java.io.FileDescriptor;
import java.lang.reflect.Field;

/**
 * Java has no public way to wrap an inherited descriptor number in a stream. The worker sets
 * the private {@code fd} field of a {@link FileDescriptor} (its manifest opens java.io for
 * that) rather than reopening {@code /proc/self/fd/3}: reopening needs /proc mounted, makes a
 * second open file description, and fails for sockets and for gVisor's host descriptors,
 * while the field has held the descriptor number since Java 1.0.
 */
final class Descriptors {

    private Descriptors() {
    }

    static FileDescriptor of(int number) {
        FileDescriptor descriptor = new FileDescriptor();
        try {
            Field fd = FileDescriptor.class.getDeclaredField("fd");
            fd.setAccessible(true);
            fd.setInt(descriptor, number);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot wrap descriptor " + number + " (is java.io opened to the worker?)", e);
        }
        return descriptor;
    }
}
