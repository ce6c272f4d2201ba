/* Audit rules. A finding's severity starts from the knowledge base's risk
 * for the port and is then adjusted for exposure: the same service bound to
 * loopback only is far less of a problem than on every interface. A known
 * trojan port is critical wherever it listens, since the listener itself is
 * the compromise. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/internal.h"
#include "portscope/audit.h"

static const char *const severity_names[] = {"info", "low", "medium", "high",
                                             "critical"};

const char *ps_severity_name(enum ps_severity sev)
{
    return (unsigned)sev <= PS_SEV_CRITICAL ? severity_names[sev] : "unknown";
}

int ps_severity_parse(const char *text, enum ps_severity *out)
{
    for (int i = 0; i <= PS_SEV_CRITICAL; i++)
        if (ps__strcaseeq(severity_names[i], text)) {
            *out = (enum ps_severity)i;
            return 0;
        }
    return PS_EINVAL;
}

/* Who can reach a socket by its local address alone. */
static enum ps_exposure address_exposure(const struct ps_socket *s)
{
    static const uint8_t zero[16], v6_loopback[16] = {[15] = 1};
    if (s->family == AF_INET) {
        if (s->local[0] == 127)
            return PS_EXPOSED_LOOPBACK;
        return memcmp(s->local, zero, 4) == 0 ? PS_EXPOSED_ALL : PS_EXPOSED_ADDRESS;
    }
    static const uint8_t v4_mapped[12] = {[10] = 0xff, [11] = 0xff};
    if (memcmp(s->local, v4_mapped, 12) == 0) { /* ::ffff:a.b.c.d */
        if (s->local[12] == 127)
            return PS_EXPOSED_LOOPBACK;
        return memcmp(s->local + 12, zero, 4) == 0 ? PS_EXPOSED_ALL : PS_EXPOSED_ADDRESS;
    }
    if (memcmp(s->local, v6_loopback, 16) == 0)
        return PS_EXPOSED_LOOPBACK;
    return memcmp(s->local, zero, 16) == 0 ? PS_EXPOSED_ALL : PS_EXPOSED_ADDRESS;
}

/* A socket bound to a device (SO_BINDTODEVICE) only hears what arrives
 * through it, whatever its address: through lo, only this host. */
enum ps_exposure ps_socket_exposure(const struct ps_socket *s)
{
    enum ps_exposure e = address_exposure(s);
    if (!s->ifindex || e == PS_EXPOSED_LOOPBACK)
        return e;
    if (s->if_loopback)
        return PS_EXPOSED_LOOPBACK;
    return e == PS_EXPOSED_ALL ? PS_EXPOSED_INTERFACE : e;
}

/* Whether candidate a should win over b: the higher risk (an audit must
 * not hide the worse reading of a port), then the entry for the exact port
 * over one for a range around it. */
static bool better(const struct ps_knowledge *a, const struct ps_knowledge *b)
{
    if (!b || a->risk != b->risk)
        return !b || a->risk > b->risk;
    return a->port == a->port_end && b->port != b->port_end;
}

const struct ps_service *ps_port_service(const struct ps_registry *reg,
                                         enum ps_proto proto, unsigned port)
{
    const struct ps_service *recs[8], *range = NULL;
    size_t n = reg ? ps_registry_find_port(reg, proto, port, recs, 8) : 0;
    for (size_t i = 0; i < n && i < 8; i++) {
        if (recs[i]->port == recs[i]->port_end)
            return recs[i]; /* the port's own name, not a range's */
        if (!range)
            range = recs[i];
    }
    return range;
}

/* The knowledge entry for the socket's port, among those describing the
 * registry's records there and the entries for the exact port. *service
 * is the name of the record whose entry won, else ps_port_service()'s. */
static const struct ps_knowledge *knowledge_of(const struct ps_socket *s,
                                               const struct ps_registry *reg,
                                               const char **service)
{
    const struct ps_service *recs[8], *own = ps_port_service(reg, s->proto, s->local_port);
    const struct ps_knowledge *best = NULL, *hits[8];
    size_t n = reg ? ps_registry_find_port(reg, s->proto, s->local_port, recs, 8) : 0;
    *service = own ? own->name : "";
    for (size_t i = 0; i < n && i < 8; i++) {
        const struct ps_knowledge *k = ps_knowledge_for(recs[i]);
        if (k && better(k, best)) {
            best = k;
            *service = recs[i]->name;
        }
    }
    n = ps_knowledge_find_port(s->proto, s->local_port, hits, 8);
    for (size_t i = 0; i < n && i < 8; i++)
        if (hits[i]->port == hits[i]->port_end && better(hits[i], best))
            best = hits[i];
    return best;
}

static enum ps_severity lower(enum ps_severity sev, int steps)
{
    return (int)sev - steps < (int)PS_SEV_INFO ? PS_SEV_INFO : (enum ps_severity)((int)sev - steps);
}

/* Who can reach the socket, in words, into buf (at least 64 bytes). */
static const char *where(const struct ps_socket *s, enum ps_exposure e, char *buf,
                         size_t len)
{
    switch (e) {
    case PS_EXPOSED_LOOPBACK:
        if (s->ifindex && s->if_loopback && address_exposure(s) != PS_EXPOSED_LOOPBACK)
            snprintf(buf, len, "this host only (bound to loopback device %s)", s->ifname);
        else
            snprintf(buf, len, "this host only (loopback)");
        break;
    case PS_EXPOSED_ADDRESS:
        snprintf(buf, len, "one interface address");
        break;
    case PS_EXPOSED_INTERFACE:
        if (s->ifname[0])
            snprintf(buf, len, "interface %s only", s->ifname);
        else
            snprintf(buf, len, "one interface only (index %u)", (unsigned)s->ifindex);
        break;
    default:
        snprintf(buf, len, "every interface");
    }
    return buf;
}

/* "CHOICE | WHY" in the data reads as "CHOICE (WHY)". */
static void alternative_text(const char *alt, char *buf, size_t len)
{
    const char *bar = strchr(alt, '|');
    if (!bar) {
        snprintf(buf, len, "%s", alt);
        return;
    }
    size_t n = (size_t)(bar - alt);
    while (n && alt[n - 1] == ' ')
        n--;
    snprintf(buf, len, "%.*s", (int)n, alt);
}

/* How to make a service without authentication safe among the local
 * users, for those the knowledge base's alternative does not say. */
static const struct {
    const char *service;
    const char *how;
} local_auth[] = {
    {"redis", "set requirepass or ACL users, and keep protected-mode yes"},
    {"mongodb", "set security.authorization: enabled and create users"},
};

/* Whether an alternative is about who can reach the port (binding to
 * loopback, a private network, a firewall): moot for a socket already
 * on loopback. */
static bool about_reach(const char *alt)
{
    static const char *const words[] = {"127.0.0.1", "local", "loopback", "private",
                                        "firewall"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (ps__strcasestr(alt, words[i], strlen(words[i])))
            return true;
    return false;
}

/* What to do about a known service that only this host can reach: the
 * socket is where the usual advice would put it, so what is left is
 * authentication against the other local users, or a safer protocol. */
static void loopback_action(const struct ps_knowledge *k, const char *alt,
                            struct ps_finding *f)
{
    const char *how = "";
    for (size_t i = 0; i < sizeof local_auth / sizeof local_auth[0]; i++)
        if (strcmp(k->service, local_auth[i].service) == 0)
            how = local_auth[i].how;
    if (k->flags & PS_KFLAG_NO_AUTH_DEFAULT)
        snprintf(f->action, sizeof f->action,
                 "keep it on loopback, and require authentication%s%s%s: every local "
                 "user and program can reach it", how[0] ? " (" : "", how, how[0] ? ")" : "");
    else if (alt[0] && !about_reach(alt))
        snprintf(f->action, sizeof f->action,
                 "only local programs can reach it; still, consider %s instead", alt);
    else
        snprintf(f->action, sizeof f->action,
                 "no change needed: only local programs can reach it");
}

static void malware_finding(const struct ps_knowledge *k, const struct ps_socket *s,
                            struct ps_finding *f)
{
    char w[80];
    f->severity = PS_SEV_CRITICAL;
    snprintf(f->reason, sizeof f->reason,
             "port of a known backdoor or trojan (%s), listening on %s", k->title,
             where(s, f->exposure, w, sizeof w));
    snprintf(f->action, sizeof f->action,
             "find the owning program and remove it; treat the host as compromised "
             "until it is identified, and block the port");
}

static void known_finding(const struct ps_knowledge *k, const struct ps_socket *s,
                          struct ps_finding *f)
{
    char alt[200] = "", w[80];
    f->severity = (enum ps_severity)k->risk;
    if (f->exposure == PS_EXPOSED_LOOPBACK)
        f->severity = lower(f->severity, 2);
    bool cleartext = k->flags & PS_KFLAG_CLEARTEXT;
    if (cleartext && f->exposure == PS_EXPOSED_ALL && f->severity < PS_SEV_HIGH &&
        k->risk >= PS_RISK_MEDIUM)
        f->severity = PS_SEV_HIGH; /* logins in the clear, from anywhere */
    snprintf(f->reason, sizeof f->reason, "%s (risk %s%s%s), reachable from %s",
             k->title, ps_risk_name(k->risk), cleartext ? ", cleartext" : "",
             (k->flags & PS_KFLAG_NO_AUTH_DEFAULT) ? ", often without authentication" : "",
             where(s, f->exposure, w, sizeof w));
    if (k->alternative[0])
        alternative_text(k->alternative, alt, sizeof alt);
    if (f->exposure == PS_EXPOSED_LOOPBACK)
        loopback_action(k, alt, f);
    else if (alt[0])
        snprintf(f->action, sizeof f->action,
                 "replace it with %s, or bind it to 127.0.0.1 if only this host uses it", alt);
    else
        snprintf(f->action, sizeof f->action,
                 "bind it to 127.0.0.1 if only this host uses it, or firewall the port");
}

int ps_audit_socket(const struct ps_socket *s, const struct ps_registry *reg,
                    struct ps_finding *f)
{
    memset(f, 0, sizeof *f);
    f->exposure = ps_socket_exposure(s);
    f->knowledge = knowledge_of(s, reg, &f->service);
    const struct ps_knowledge *k = f->knowledge;
    if (k && (k->flags & PS_KFLAG_MALWARE) && k->risk == PS_RISK_CRITICAL) {
        malware_finding(k, s, f);
        return 1;
    }
    if (k) {
        known_finding(k, s, f);
        return f->severity > PS_SEV_INFO || f->exposure != PS_EXPOSED_LOOPBACK;
    }
    if (f->exposure == PS_EXPOSED_LOOPBACK)
        return 0; /* an unknown local-only service is nobody else's business */
    f->severity = PS_SEV_INFO;
    char w[80];
    snprintf(f->reason, sizeof f->reason,
             "%s service on %u/%s, reachable from %s",
             f->service[0] ? "a registered but undocumented" : "an unknown",
             s->local_port, ps_proto_name(s->proto), where(s, f->exposure, w, sizeof w));
    snprintf(f->action, sizeof f->action,
             "check which program this is and whether it must be reachable; bind it "
             "to 127.0.0.1 if only this host uses it");
    return 1;
}
