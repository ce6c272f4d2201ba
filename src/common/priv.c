/* Dropping privileges (include/portscope/priv.h). The order matters:
 * groups first (setgroups needs the privilege that setresuid takes
 * away), then the gids, then the uids; then the capability sets, which a
 * change of uid away from root already clears but a file capability on a
 * non-root run does not. Each step is checked afterwards: a drop that
 * silently half-failed would be worse than none. */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/internal.h"
#include "portscope/error.h"
#include "portscope/priv.h"

#define NOBODY_ID 65534
#define PW_BUF 16384

static int lookup(const char *user, uid_t *uid, gid_t *gid, const struct ps_logger *log)
{
    struct passwd pw, *res = NULL;
    char *buf = malloc(PW_BUF);

    if (!buf)
        return PS_ENOMEM;
    int err = getpwnam_r(user ? user : "nobody", &pw, buf, PW_BUF, &res);
    if (res) {
        *uid = res->pw_uid;
        *gid = res->pw_gid;
    }
    free(buf);
    if (res)
        return 0;
    if (!user) { /* no "nobody" account: its usual numbers */
        *uid = NOBODY_ID;
        *gid = NOBODY_ID;
        return 0;
    }
    ps__log(log, PS_LOG_ERROR, "cannot drop privileges: no user '%s'%s%s", user,
            err ? ": " : "", err ? strerror(err) : "");
    return PS_ENOENT;
}

static int become(uid_t uid, gid_t gid, const struct ps_logger *log)
{
    uid_t r, e, s;

    if (uid == 0) {
        ps__log(log, PS_LOG_ERROR, "cannot drop privileges to a user with uid 0");
        return PS_EACCES;
    }
    if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
        setresuid(uid, uid, uid) < 0) {
        ps__log(log, PS_LOG_ERROR, "cannot drop privileges: %s", strerror(errno));
        return PS_EACCES;
    }
    if (getresuid(&r, &e, &s) < 0 || r != uid || e != uid || s != uid ||
        setuid(0) == 0) {
        ps__log(log, PS_LOG_ERROR, "dropping privileges did not hold");
        return PS_EACCES;
    }
    return 0;
}

/* Empties the permitted, effective and inheritable sets of this thread
 * (capset, as libcap's cap_clear does, without the dependency). */
static int clear_caps(const struct ps_logger *log)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];

    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &hdr, data) < 0 ||
        syscall(SYS_capget, &hdr, data) < 0 ||
        data[0].effective || data[1].effective || data[0].permitted || data[1].permitted) {
        ps__log(log, PS_LOG_ERROR, "cannot clear capabilities: %s", strerror(errno));
        return PS_EACCES;
    }
    return 0;
}

int ps_drop_privileges(const char *user, const struct ps_logger *log)
{
    uid_t r, e, s;
    int rc;

    if (getresuid(&r, &e, &s) < 0)
        return PS_EACCES;
    if (r == 0 || e == 0 || s == 0) {
        uid_t uid;
        gid_t gid;
        if ((rc = lookup(user, &uid, &gid, log)) < 0 || (rc = become(uid, gid, log)) < 0)
            return rc;
    }
    if ((rc = clear_caps(log)) < 0)
        return rc;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        ps__log(log, PS_LOG_ERROR, "cannot set no_new_privs: %s", strerror(errno));
        return PS_EACCES;
    }
    return 0;
}
