package io.nimbus.pool;

/**
 * The life of an instance. Transitions are compare-and-set, so an idle instance is taken
 * by exactly one of the invoker and the reaper:
 * <pre>
 *   STARTING ──init ok──▶ IDLE ◀──release── BUSY
 *                          │  └──acquire──▶   │
 *                          └──reap/retire──▶ REMOVED ◀── fail, timeout, recycle
 * </pre>
 */
public enum InstanceState {
    STARTING, IDLE, BUSY, REMOVED
}
