/* The public scan writer (portscope/scanout.h): picks a format by name,
 * enforces the call order, flushes after every call and makes a failed
 * write sticky, so that the formats only format. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output/scanout.h"

/* Every format, in the order ps_scan_formats() names them. */
static const struct ps__scan_format *const formats[] = {
    &ps__scan_normal,
    &ps__scan_xml,
    &ps__scan_grep,
    &ps__scan_json,
};
static const char *const format_names[] = {"normal", "xml", "grepable",
                                           "json", NULL};
_Static_assert(sizeof formats / sizeof formats[0] + 1 ==
                   sizeof format_names / sizeof format_names[0],
               "every format is named once");

enum stage { STAGE_NEW, STAGE_BEGUN, STAGE_ENDED };

struct ps_scan_writer {
    const struct ps__scan_format *fmt;
    struct ps__scan_out o;
    struct ps_logger log;      /* the caller's logger, copied */
    enum stage stage;
    bool failed;               /* a write failed: later calls are PS_EIO */
    struct ps__scan_view view; /* the host being written (2 KiB of names) */
};

const char *const *ps_scan_formats(void)
{
    return format_names;
}

struct ps_scan_writer *ps_scan_writer_new(const char *format, FILE *out,
                                          const struct ps_registry *reg,
                                          const struct ps_logger *log,
                                          int *errp)
{
    const struct ps__scan_format *fmt = NULL;
    int ignored;

    if (!errp)
        errp = &ignored;
    for (size_t i = 0; format && i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(format, formats[i]->name) == 0)
            fmt = formats[i];
    if (!fmt || !out) {
        ps__log(log, PS_LOG_ERROR, "scan output: %s%s", format ? format : "",
                fmt ? ": no stream" : " is not a format");
        *errp = PS_EINVAL;
        return NULL;
    }
    struct ps_scan_writer *w = calloc(1, sizeof *w);
    if (!w) {
        *errp = PS_ENOMEM;
        return NULL;
    }
    w->fmt = fmt;
    w->o = (struct ps__scan_out){.out = out, .reg = reg, .format = fmt->name};
    if (log) {
        w->log = *log;
        w->o.log = &w->log;
    }
    int rc = fmt->open ? fmt->open(&w->o) : 0;
    if (rc != 0) {
        free(w);
        *errp = rc;
        return NULL;
    }
    *errp = 0;
    return w;
}

/* The common end of every call: flushes, and turns a failed write into
 * the sticky PS_EIO. */
static int settle(struct ps_scan_writer *w, int rc)
{
    if (rc == 0 && (fflush(w->o.out) != 0 || ferror(w->o.out)))
        rc = PS_EIO;
    if (rc == PS_EIO && !w->failed) {
        int err = errno;
        w->failed = true;
        ps__log(w->o.log, PS_LOG_ERROR, "%s scan output: write failed%s%s",
                w->fmt->name, err ? ": " : "", err ? strerror(err) : "");
    }
    return rc;
}

static int enter(const struct ps_scan_writer *w, enum stage want)
{
    if (!w)
        return PS_EINVAL;
    if (w->failed)
        return PS_EIO;
    return w->stage == want ? 0 : PS_ESTATE;
}

int ps_scan_writer_begin(struct ps_scan_writer *w,
                         const struct ps_scan_info *info)
{
    int rc = enter(w, STAGE_NEW);
    if (rc != 0)
        return rc;
    if (!info)
        return PS_EINVAL;
    w->o.run = (struct ps__scan_run){
        .start_us = info->start_us,
        .tcp_ports = info->ports ? ps_portset_count(info->ports, PS_PROTO_TCP) : 0,
        .udp_ports = info->ports ? ps_portset_count(info->ports, PS_PROTO_UDP) : 0,
        .verbose = info->verbose > 0 ? info->verbose : 0,
        .show_reason = info->show_reason,
        .open_only = info->open_only,
    };
    errno = 0;
    rc = settle(w, w->fmt->begin(&w->o, info));
    /* Another error (bad info, no memory) left nothing behind: the caller
     * may try again. */
    if (rc == 0 || rc == PS_EIO)
        w->stage = STAGE_BEGUN;
    return rc;
}

/* The formats rely on these; the engine never breaks them. */
static bool host_valid(const struct ps_scan_host *h)
{
    if (!h || (h->port_count && !h->ports))
        return false;
    for (size_t i = 0; i < h->port_count; i++)
        if (h->ports[i].proto != PS_PROTO_TCP &&
            h->ports[i].proto != PS_PROTO_UDP)
            return false;
    return true;
}

int ps_scan_writer_host(struct ps_scan_writer *w,
                        const struct ps_scan_host *host)
{
    int rc = enter(w, STAGE_BEGUN);
    if (rc != 0)
        return rc;
    if (!host_valid(host))
        return PS_EINVAL;
    bool listed = ps__scan_view_init(&w->view, host, &w->o.run);
    w->o.totals.hosts++;
    for (int st = 0; st < PS_PORT__COUNT; st++)
        w->o.totals.state[st] += w->view.count[st];
    if (!listed)
        return 0;
    errno = 0;
    return settle(w, w->fmt->host(&w->o, &w->view));
}

int ps_scan_writer_end(struct ps_scan_writer *w,
                       const struct ps_scan_summary *summary)
{
    int rc = enter(w, STAGE_BEGUN);
    if (rc != 0)
        return rc;
    if (!summary)
        return PS_EINVAL;
    w->stage = STAGE_ENDED;
    errno = 0;
    return settle(w, w->fmt->end(&w->o, summary));
}

void ps_scan_writer_free(struct ps_scan_writer *w)
{
    if (!w)
        return;
    if (w->fmt->close)
        w->fmt->close(&w->o);
    free(w);
}
