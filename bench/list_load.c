/* bench-list-load: holds N established TCP connections on loopback for
 * bench/list.
 *
 *   bench-list-load N [LISTENERS]
 *
 * Opens LISTENERS (default 4) listening sockets on 127.0.0.1, each on a
 * port the kernel picks, then N connections spread over them round-robin,
 * accepting each at once: every connection costs two descriptors, the
 * client side and the accepted server side. The soft descriptor limit is
 * raised to the hard one when needed. Prints "ready N" on stdout and then
 * sleeps until stdin closes (bench/list holds it), so all exit together.
 * Exits 1, with a message, when a connection cannot be made. Meant to run
 * inside a network namespace of its own (`ip netns exec NS ...`). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LISTENERS 64

static int fail(const char *what, long done)
{
    fprintf(stderr, "bench-list-load: %s after %ld connections: %s\n", what, done,
            strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
    long nl = argc > 2 ? strtol(argv[2], NULL, 10) : 4;
    if (n < 1 || nl < 1 || nl > MAX_LISTENERS) {
        fprintf(stderr, "usage: bench-list-load N [LISTENERS (1..%d)]\n", MAX_LISTENERS);
        return 2;
    }

    /* Both ends of each connection, the listeners, stdio, some slack. */
    struct rlimit rl;
    rlim_t need = (rlim_t)(2 * n + nl + 16);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < need) {
            fprintf(stderr, "bench-list-load: %ld connections need %lu descriptors, "
                    "the hard limit is %lu\n", n, (unsigned long)need,
                    (unsigned long)rl.rlim_max);
            return 1;
        }
    }

    int lfd[MAX_LISTENERS];
    struct sockaddr_in addr[MAX_LISTENERS];
    for (long i = 0; i < nl; i++) {
        socklen_t len = sizeof addr[i];
        memset(&addr[i], 0, sizeof addr[i]);
        addr[i].sin_family = AF_INET;
        addr[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        lfd[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (lfd[i] < 0 || bind(lfd[i], (struct sockaddr *)&addr[i], sizeof addr[i]) < 0 ||
            listen(lfd[i], 128) < 0 ||
            getsockname(lfd[i], (struct sockaddr *)&addr[i], &len) < 0)
            return fail("listen", 0);
    }

    /* On loopback a blocking connect completes as soon as the handshake is
     * done; accepting right after keeps every backlog at one. */
    for (long i = 0; i < n; i++) {
        long k = i % nl;
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0)
            return fail("socket", i);
        if (connect(c, (struct sockaddr *)&addr[k], sizeof addr[k]) < 0)
            return fail("connect", i);
        if (accept(lfd[k], NULL, NULL) < 0)
            return fail("accept", i);
    }

    printf("ready %ld\n", n);
    fflush(stdout);
    char buf[256];
    for (;;) {
        ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
        if (r == 0 || (r < 0 && errno != EINTR))
            break;
    }
    return 0;
}
