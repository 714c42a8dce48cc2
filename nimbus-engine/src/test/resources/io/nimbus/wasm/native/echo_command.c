/* A WASI command in C, built with: clang --target=wasm32-wasi -O2
 * Answers {"event":<stdin>,"name":"<argv[0]>","greeting":"<$GREETING>"}; an event of
 * "big" asks malloc for 100 MiB, and exits 1 when it is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    static char event[65536];
    size_t length = fread(event, 1, sizeof event - 1, stdin);
    event[length] = 0;
    fprintf(stderr, "read %zu bytes\n", length);
    if (strcmp(event, "big") == 0) {
        /* volatile: otherwise the compiler may drop an allocation nothing reads */
        volatile char *block = malloc(100 << 20);
        if (block == NULL) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        block[0] = 1;
    }
    const char *greeting = getenv("GREETING");
    printf("{\"event\":%s,\"name\":\"%s\",\"greeting\":\"%s\"}", event, argv[0], greeting ? greeting : "");
    return 0;
}
