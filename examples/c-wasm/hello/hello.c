/* The handler ABI: define handle(); Nimbus adds an alloc() that calls malloc. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int64_t handle(const char *event, uint32_t len) {
    char *out = malloc(64);
    int n = snprintf(out, 64, "{\"message\":\"Hello from C\",\"event_bytes\":%u}", len);
    fprintf(stderr, "handled %u bytes\n", len);
    return ((int64_t)(uintptr_t)out << 32) | (uint32_t)n;
}
