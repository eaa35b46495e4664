/* semihost_files: picolibc with --oslib=semihost (no board runtime): the console,
 * host files inside --semihost-root, refusals outside it, the exit code. */
#include <stdio.h>

static void try_open(const char *name, const char *mode) {
    FILE *f = fopen(name, mode);
    printf("%s %s: %s\n", mode, name, f ? "opened" : "refused");
    if (f) fclose(f);
}

int main(void) {
    printf("semihost: hello on the console\n");
    FILE *f = fopen("out.txt", "w");
    if (!f) {
        printf("semihost: no out.txt (no --semihost-root?)\n");
        return 2;
    }
    fputs("written by the firmware\n", f);
    fclose(f);
    char buf[64] = {0};
    f = fopen("in.txt", "r");
    if (f && fgets(buf, sizeof buf, f)) printf("semihost: read '%s'\n", buf);
    if (f) fclose(f);
    try_open("../escape.txt", "w");
    try_open("/etc/hostname", "r");
    try_open("sub/../in.txt", "r");
    try_open("link.txt", "r");   /* a symbolic link to a file outside the root */
    try_open("outdir/x.txt", "w"); /* a directory linked to outside the root */
    try_open("missing.txt", "r");
    return 5;
}
