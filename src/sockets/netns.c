/* Network namespaces. Entering one is setns(2) on the calling thread: a
 * netlink socket opened afterwards reports that namespace's sockets, which
 * is all a dump needs; the previous namespace is restored from a saved
 * descriptor. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/internal.h"
#include "portscope/netns.h"

static int add(struct ps_netns **v, size_t *n, size_t *cap, const char *name,
               const char *path, uint64_t inode)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].inode == inode)
            return 0; /* seen already: one entry per namespace */
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        struct ps_netns *grown = realloc(*v, c * sizeof *grown);
        if (!grown)
            return PS_ENOMEM;
        *v = grown;
        *cap = c;
    }
    struct ps_netns *e = &(*v)[(*n)++];
    snprintf(e->name, sizeof e->name, "%s", name);
    snprintf(e->path, sizeof e->path, "%s", path);
    e->inode = inode;
    return 0;
}

static int add_named(const char *run_dir, struct ps_netns **v, size_t *n, size_t *cap)
{
    DIR *d = opendir(run_dir);
    struct dirent *de;
    int rc = 0;
    if (!d)
        return 0; /* no named namespaces */
    while (rc == 0 && (de = readdir(d))) {
        char path[512];
        struct stat st;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", run_dir, de->d_name);
        if (stat(path, &st) == 0)
            rc = add(v, n, cap, de->d_name, path, (uint64_t)st.st_ino);
    }
    closedir(d);
    return rc;
}

int ps_netns_list(const char *proc_root, const char *run_dir,
                  struct ps_netns **out, size_t *count, const struct ps_logger *log)
{
    struct ps_netns *v = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    *count = 0;
    int rc = add_named(run_dir ? run_dir : "/run/netns", &v, &n, &cap);
    DIR *d = rc ? NULL : opendir(proc_root);
    if (!rc && !d) {
        ps__log(log, PS_LOG_ERROR, "%s: %s", proc_root, strerror(errno));
        free(v);
        return PS_ENOENT;
    }
    struct dirent *de;
    while (rc == 0 && d && (de = readdir(d))) {
        char path[512], name[sizeof ((struct ps_netns *)0)->name];
        struct stat st;
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "%s/%s/ns/net", proc_root, de->d_name);
        if (stat(path, &st) != 0)
            continue; /* gone, or another user's */
        snprintf(name, sizeof name, "pid:%.50s", de->d_name);
        rc = add(&v, &n, &cap, name, path, (uint64_t)st.st_ino);
    }
    if (d)
        closedir(d);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *count = n;
    return 0;
}

int ps_netns_enter(const char *spec, const char *run_dir, int *saved)
{
    char path[512];
    if (strchr(spec, '/'))
        snprintf(path, sizeof path, "%s", spec);
    else
        snprintf(path, sizeof path, "%s/%s", run_dir ? run_dir : "/run/netns", spec);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ps__from_errno(errno);
    /* The calling thread's namespace, which need not be the main thread's. */
    int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0) {
        int rc = ps__from_errno(errno);
        close(fd);
        return rc;
    }
    if (setns(fd, CLONE_NEWNET) != 0) {
        int rc = errno == EPERM ? PS_EACCES : errno == EINVAL ? PS_EINVAL : PS_EIO;
        close(fd);
        close(self);
        return rc;
    }
    close(fd);
    *saved = self;
    return 0;
}

int ps_netns_leave(int saved)
{
    int rc = setns(saved, CLONE_NEWNET) == 0 ? 0 : PS_EIO;
    close(saved);
    return rc;
}
