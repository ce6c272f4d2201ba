/* ps-listen: opens one socket for the CLI tests and holds it.
 *
 *   ps-listen tcp|udp ADDRESS [PORT]
 *
 * Binds to ADDRESS (an IPv4 or IPv6 literal) on PORT, or a port the kernel
 * picks,
 * listens if TCP, prints the port on a line, then waits until its standard
 * input closes, so a test controls exactly how long the socket exists.
 * PS_LISTEN_DEVICE=NAME binds the socket to that interface first
 * (SO_BINDTODEVICE). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    if (argc != 3 && argc != 4)
        return 2;
    unsigned short port = argc == 4 ? (unsigned short)atoi(argv[3]) : 0;
    int tcp = strcmp(argv[1], "tcp") == 0;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, argv[2], &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        len = sizeof *v4;
    } else if (inet_pton(AF_INET6, argv[2], &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        len = sizeof *v6;
    } else {
        return 2;
    }
    int fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const char *dev = getenv("PS_LISTEN_DEVICE");
    if (fd >= 0 && dev &&
        setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev)) != 0)
        return 1;
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 || (tcp && listen(fd, 8) != 0) ||
        getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return 1;
    /* PS_LISTEN_FORK=1: a child shares the socket, as after a server's
     * fork, so it has two owners. */
    if (getenv("PS_LISTEN_FORK") && fork() == 0) {
        char c;
        while (read(0, &c, 1) > 0)
            ;
        return 0;
    }
    printf("%u\n", ntohs(ss.ss_family == AF_INET ? v4->sin_port : v6->sin6_port));
    fflush(stdout);
    char buf[64];
    while (read(0, buf, sizeof buf) > 0)
        ;
    return 0;
}
