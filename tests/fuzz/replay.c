/*
 * Replays a fuzz corpus through a libFuzzer target without libFuzzer, so
 * every seed and every past crasher runs in an ordinary `make check`.
 * Linked with one fuzz target at a time; knows nothing about any of them.
 *
 * Usage: replay FILE|DIR...  (a directory is read one level deep; only
 * regular files are replayed, in name order so runs are reproducible).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The sanitizers' runtime (tests/fuzz/fuzz.sh) calls back before ending
 * the process; weak, so the ordinary build links without it. */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/* The input being replayed, named when it crashes the target. */
static const char *current;
static volatile sig_atomic_t named;

static void name_current(void)
{
    static const char before[] = "replay: the input that failed: ";

    if (current != NULL && !named) {
        named = 1;
        (void)!write(STDERR_FILENO, before, sizeof(before) - 1);
        (void)!write(STDERR_FILENO, current, strlen(current));
        (void)!write(STDERR_FILENO, "\n", 1);
    }
}

static void on_fatal_signal(int sig)
{
    name_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Reads the whole file into a buffer of exactly its size, so a target that
 * reads one byte too far trips ASan here as it would under libFuzzer. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL, *exact;
    size_t len = 0, cap = 0, n;

    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (;;) {
        if (len == cap) {
            unsigned char *grown;

            cap = cap ? cap * 2 : 4096;
            grown = realloc(data, cap);
            if (grown == NULL) {
                fprintf(stderr, "replay: %s: out of memory\n", path);
                free(data);
                fclose(f);
                return -1;
            }
            data = grown;
        }
        n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(data);
        fclose(f);
        return -1;
    }
    fclose(f);

    exact = malloc(len ? len : 1);
    if (exact == NULL) {
        fprintf(stderr, "replay: %s: out of memory\n", path);
        free(data);
        return -1;
    }
    if (len > 0) {
        memcpy(exact, data, len);
    }
    free(data);
    current = path;
    LLVMFuzzerTestOneInput(exact, len);
    current = NULL;
    free(exact);
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays the regular files of dir; returns how many, or -1. */
static long replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat st;
    char **names = NULL, **grown;
    size_t count = 0, cap = 0, i;
    long done = 0;
    int failed = 0;

    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        size_t need = strlen(dir) + strlen(e->d_name) + 2;
        char *path;

        if (e->d_name[0] == '.') {
            /* ".", ".." and hidden files such as editor leftovers. */
            continue;
        }
        path = malloc(need);
        if (path == NULL) {
            failed = 1;
            break;
        }
        snprintf(path, need, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            grown = realloc(names, cap * sizeof(*names));
            if (grown == NULL) {
                free(path);
                failed = 1;
                break;
            }
            names = grown;
        }
        names[count++] = path;
    }
    closedir(d);
    if (failed) {
        fprintf(stderr, "replay: %s: out of memory\n", dir);
    }
    else if (count > 0) {
        qsort(names, count, sizeof(*names), compare_names);
    }
    for (i = 0; i < count; i++) {
        if (!failed) {
            if (replay_file(names[i]) != 0) {
                failed = 1;
            }
            else {
                done++;
            }
        }
        free(names[i]);
    }
    free(names);
    return failed ? -1 : done;
}

int main(int argc, char **argv)
{
    struct stat st;
    long total = 0, n;
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    signal(SIGABRT, on_fatal_signal);
    signal(SIGSEGV, on_fatal_signal);
    signal(SIGBUS, on_fatal_signal);
    signal(SIGFPE, on_fatal_signal);
    signal(SIGILL, on_fatal_signal);
    if (__sanitizer_set_death_callback != NULL) {
        __sanitizer_set_death_callback(name_current);
    }
    for (i = 1; i < argc; i++) {
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if (S_ISDIR(st.st_mode)) {
            n = replay_dir(argv[i]);
            if (n < 0) {
                return 1;
            }
            total += n;
        }
        else {
            if (replay_file(argv[i]) != 0) {
                return 1;
            }
            total++;
        }
    }
    printf("%ld inputs replayed\n", total);
    return 0;
}
