/* spawn-time: times whole commands without a shell in the way.
 *
 *   spawn-time RUNS -- CMD [ARGS...] [-- CMD [ARGS...]]...
 *
 * Runs the commands in turn RUNS times (rotating which goes first, so drift
 * of a noisy machine hits all alike), each with stdin, stdout and stderr on
 * /dev/null, and prints one line per command: the median wall time in
 * milliseconds. A bash loop adds about half a millisecond of its own to
 * every start of a process with a thousand arguments; this does not. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CMDS 8

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs argv once; returns the wall time in microseconds, or -1. */
static double run_once(char **argv)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    for (int fd = 0; fd <= 2; fd++)
        posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
    pid_t pid;
    double t0 = now_us();
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
        return -1;
    return now_us() - t0;
}

int main(int argc, char **argv)
{
    char **cmds[MAX_CMDS];
    int ncmd = 0;
    long runs = argc > 2 ? strtol(argv[1], NULL, 10) : 0;
    if (runs < 1 || strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: spawn-time RUNS -- CMD [ARGS...] [-- CMD...]\n");
        return 2;
    }
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            argv[i] = NULL; /* ends the previous command's argv */
            if (i + 1 < argc && ncmd < MAX_CMDS)
                cmds[ncmd++] = &argv[i + 1];
        }
    double *samples = calloc((size_t)(runs * ncmd), sizeof *samples);
    if (!samples || ncmd == 0)
        return 2;
    for (long r = 0; r < runs; r++)
        for (int k = 0; k < ncmd; k++) {
            int c = (int)((k + r) % ncmd);
            double us = run_once(cmds[c]);
            if (us < 0) {
                fprintf(stderr, "spawn-time: %s could not run or was killed\n", cmds[c][0]);
                return 3;
            }
            samples[c * runs + r] = us;
        }
    for (int c = 0; c < ncmd; c++) {
        qsort(samples + c * runs, (size_t)runs, sizeof *samples, cmp_double);
        double *s = samples + c * runs;
        double med = runs % 2 ? s[runs / 2] : (s[runs / 2 - 1] + s[runs / 2]) / 2;
        printf("%.3f\n", med / 1000);
    }
    free(samples);
    return 0;
}
