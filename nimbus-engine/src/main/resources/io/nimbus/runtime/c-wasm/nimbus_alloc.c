/*
 * Added by Nimbus to every c-wasm function built with the handler ABI: the host calls
 * alloc(len) for room to write the event into, then handle(ptr, len). Weak, so that a
 * function defining its own alloc keeps it.
 */
#include <stddef.h>
#include <stdlib.h>

__attribute__((weak)) void *alloc(size_t size) {
    return malloc(size);
}
