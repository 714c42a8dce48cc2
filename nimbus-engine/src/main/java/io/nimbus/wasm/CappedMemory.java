package io.nimbus.wasm;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.DataSegment;

/**
 * A linear memory that remembers when the function's memory cap refused to grow it. Chicory
 * answers such a {@code memory.grow} with -1, as the spec says, and the guest then usually traps
 * or exits (an allocator that cannot get memory aborts): this flag is how that failure is told
 * apart from any other and reported as out of memory. Everything else is the delegate's.
 */
// Memory deprecates lock, waitOn and notify for removal but still declares them abstract.
@SuppressWarnings("removal")
final class CappedMemory implements Memory {
    private final Memory delegate;
    private final int capPages;
    private boolean growthRefused;

    CappedMemory(Memory delegate, int capPages) {
        this.delegate = delegate;
        this.capPages = capPages;
    }

    /** A {@code memory.grow} asked for more than the cap; only the invocation's thread reads it. */
    boolean growthRefused() {
        return growthRefused;
    }

    @Override
    public int grow(int pages) {
        if ((long) delegate.pages() + pages > capPages) {
            growthRefused = true;
        }
        return delegate.grow(pages);
    }

    @Override
    public int pages() {
        return delegate.pages();
    }

    @Override
    public int initialPages() {
        return delegate.initialPages();
    }

    @Override
    public int maximumPages() {
        return delegate.maximumPages();
    }

    @Override
    public boolean shared() {
        return delegate.shared();
    }

    @Override
    public Object lock(int address) {
        return delegate.lock(address);
    }

    @Override
    public int waitOn(int address, int expected, long timeout) {
        return delegate.waitOn(address, expected, timeout);
    }

    @Override
    public int waitOn(int address, long expected, long timeout) {
        return delegate.waitOn(address, expected, timeout);
    }

    @Override
    public int notify(int address, int maxThreads) {
        return delegate.notify(address, maxThreads);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        delegate.initialize(instance, dataSegments);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
        delegate.initialize(instance, dataSegments, memoryIndex);
    }

    @Override
    public void initPassiveSegment(int segmentId, int address, int offset, int size) {
        delegate.initPassiveSegment(segmentId, address, offset, size);
    }

    @Override
    public void write(int address, byte[] data, int offset, int size) {
        delegate.write(address, data, offset, size);
    }

    @Override
    public byte read(int address) {
        return delegate.read(address);
    }

    @Override
    public byte[] readBytes(int address, int length) {
        return delegate.readBytes(address, length);
    }

    @Override
    public void writeI32(int address, int value) {
        delegate.writeI32(address, value);
    }

    @Override
    public int readInt(int address) {
        return delegate.readInt(address);
    }

    @Override
    public void writeLong(int address, long value) {
        delegate.writeLong(address, value);
    }

    @Override
    public long readLong(int address) {
        return delegate.readLong(address);
    }

    @Override
    public void writeShort(int address, short value) {
        delegate.writeShort(address, value);
    }

    @Override
    public short readShort(int address) {
        return delegate.readShort(address);
    }

    @Override
    public long readU16(int address) {
        return delegate.readU16(address);
    }

    @Override
    public void writeByte(int address, byte value) {
        delegate.writeByte(address, value);
    }

    @Override
    public void writeF32(int address, float value) {
        delegate.writeF32(address, value);
    }

    @Override
    public long readF32(int address) {
        return delegate.readF32(address);
    }

    @Override
    public float readFloat(int address) {
        return delegate.readFloat(address);
    }

    @Override
    public void writeF64(int address, double value) {
        delegate.writeF64(address, value);
    }

    @Override
    public double readDouble(int address) {
        return delegate.readDouble(address);
    }

    @Override
    public long readF64(int address) {
        return delegate.readF64(address);
    }

    @Override
    public void zero() {
        delegate.zero();
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        delegate.fill(value, fromIndex, toIndex);
    }

    @Override
    public void copy(int destination, int source, int length) {
        delegate.copy(destination, source, length);
    }

    @Override
    public void drop(int segment) {
        delegate.drop(segment);
    }
}
