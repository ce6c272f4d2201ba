/* gen-knowledge: compiles the knowledge files in data/knowledge/ into a C
 * table, checking every entry against the schema.
 *
 * usage: gen-knowledge OUTPUT [FILE...]
 *
 * An entry is a stanza:
 *
 *   [21/tcp ftp]                header: PORT[-END]/PROTO and optional service
 *   title: File Transfer Protocol (control channel)
 *   category: file-transfer     one word of the category vocabulary
 *   risk: high                  none, low, medium, high or critical
 *   flags: cleartext, legacy    words of the flag vocabulary (optional)
 *   use: FTP | what this use is, in one sentence        (one or more)
 *   alternative: SFTP (22/tcp) | why it is safer        (optional)
 *   references: RFC 959, RFC 4217                       (optional)
 *   related: 20/tcp, 990/tcp                            (optional)
 *   explain:                    (optional) paragraphs on indented lines;
 *     a line holding only "." separates paragraphs
 *
 * Any error stops the build with FILE:LINE: what is wrong. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"

#include "knowledge/vocab.h"

#define MAX_USES 16
#define MAX_ENTRIES 4096
#define TEXT_MAX 8192

static const char *const protos[] = {"tcp", "udp", "sctp", "dccp", "ddp"};

struct use {
    char *name, *note;
};

struct entry {
    const char *file;
    unsigned long line;
    unsigned long port, port_end;
    int proto;
    char service[64];
    char *title, *category, *alternative, *references, *related, *explain;
    int risk;
    unsigned flags;
    struct use uses[MAX_USES];
    int use_count;
};

static struct entry entries[MAX_ENTRIES];
static size_t entry_count;


static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        die("out of memory");
    return p;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int lookup_word(const char *const *list, size_t n, const char *w)
{
    for (size_t i = 0; i < n && list[i]; i++)
        if (strcmp(list[i], w) == 0)
            return (int)i;
    return -1;
}

static unsigned long parse_port(const char *s)
{
    char *end;
    if (!isdigit((unsigned char)*s))
        die("'%s' is not a port number", s);
    unsigned long v = strtoul(s, &end, 10);
    if (*end || v > 65535)
        die("'%s' is not a port number from 0 to 65535", s);
    return v;
}

/* "[21/tcp ftp]" */
static void parse_header(struct entry *e, char *line)
{
    char *close = strchr(line, ']');
    if (!close || trim(close + 1)[0])
        die("entry header must be [PORT/PROTO] or [PORT/PROTO SERVICE]");
    *close = '\0';
    char *spec = strtok(line + 1, " \t"), *service = strtok(NULL, " \t");
    if (!spec || strtok(NULL, " \t"))
        die("entry header must be [PORT/PROTO] or [PORT/PROTO SERVICE]");
    char *slash = strchr(spec, '/');
    if (!slash)
        die("'%s' is not PORT/PROTO", spec);
    *slash = '\0';
    e->proto = lookup_word(protos, 5, slash + 1);
    if (e->proto < 0)
        die("unknown protocol '%s'", slash + 1);
    char *dash = strchr(spec, '-');
    if (dash)
        *dash = '\0';
    e->port = parse_port(spec);
    e->port_end = dash ? parse_port(dash + 1) : e->port;
    if (e->port_end < e->port || (dash && e->port_end == e->port))
        die("range %lu-%lu must run from low to high", e->port, e->port_end);
    if (service) {
        if (strlen(service) >= sizeof e->service)
            die("service name too long");
        for (char *c = service; *c; c++)
            if (!isalnum((unsigned char)*c) && !strchr("._+-:", *c))
                die("bad character '%c' in service name", *c);
        strcpy(e->service, service);
    }
}

static void parse_flags(struct entry *e, char *v)
{
    for (char *w = strtok(v, ", \t"); w; w = strtok(NULL, ", \t")) {
        int bit = lookup_word(ps__kflag_names, 6, w);
        if (bit < 0)
            die("unknown flag '%s' (cleartext, worm-target, malware, "
                "amplification, no-auth-default, legacy)", w);
        e->flags |= 1u << bit;
    }
}

static void parse_use(struct entry *e, char *v)
{
    char *bar = strchr(v, '|');
    if (!bar)
        die("use needs 'NAME | NOTE'");
    *bar = '\0';
    char *name = trim(v), *note = trim(bar + 1);
    if (!*name || !*note)
        die("use needs a name and a note on both sides of '|'");
    if (e->use_count == MAX_USES)
        die("more than %d uses", MAX_USES);
    e->uses[e->use_count].name = xstrdup(name);
    e->uses[e->use_count++].note = xstrdup(note);
}

static void set_once(char **field, const char *key, char *v)
{
    if (*field)
        die("'%s' given twice", key);
    if (!*v)
        die("'%s' is empty", key);
    *field = xstrdup(v);
}

static void parse_field(struct entry *e, char *line)
{
    char *colon = strchr(line, ':');
    if (!colon)
        die("expected 'key: value'");
    *colon = '\0';
    char *key = trim(line), *v = trim(colon + 1);
    if (strcmp(key, "title") == 0) {
        set_once(&e->title, key, v);
    } else if (strcmp(key, "category") == 0) {
        if (lookup_word(ps__category_names, 64, v) < 0)
            die("unknown category '%s'", v);
        set_once(&e->category, key, v);
    } else if (strcmp(key, "risk") == 0) {
        if (e->risk >= 0)
            die("'risk' given twice");
        if ((e->risk = lookup_word(ps__risk_names, 5, v)) < 0)
            die("unknown risk '%s' (none, low, medium, high, critical)", v);
    } else if (strcmp(key, "flags") == 0) {
        parse_flags(e, v);
    } else if (strcmp(key, "use") == 0) {
        parse_use(e, v);
    } else if (strcmp(key, "alternative") == 0) {
        set_once(&e->alternative, key, v);
    } else if (strcmp(key, "references") == 0) {
        set_once(&e->references, key, v);
    } else if (strcmp(key, "related") == 0) {
        set_once(&e->related, key, v);
    } else if (strcmp(key, "explain") == 0) {
        if (*v)
            die("explain text goes on the indented lines below 'explain:'");
        set_once(&e->explain, key, "\x01"); /* filled by continuation lines */
    } else {
        die("unknown key '%s'", key);
    }
}

/* Indented lines join into paragraphs with single spaces; a "." line ends
 * a paragraph. */
static void add_explain_line(struct entry *e, const char *text)
{
    if (!e->explain)
        die("indented line outside an explain block");
    size_t old = strcmp(e->explain, "\x01") == 0 ? 0 : strlen(e->explain);
    bool para = strcmp(text, ".") == 0;
    bool fresh = old == 0 || (old >= 2 && e->explain[old - 1] == '\n');
    if (para && fresh)
        die("empty paragraph in explain");
    size_t add = para ? 2 : strlen(text) + (fresh ? 0 : 1);
    if (old + add >= TEXT_MAX)
        die("explain text longer than %d bytes", TEXT_MAX);
    char *grown = malloc(old + add + 1);
    if (!grown)
        die("out of memory");
    memcpy(grown, e->explain, old);
    if (para)
        memcpy(grown + old, "\n\n", 3);
    else
        sprintf(grown + old, "%s%s", fresh ? "" : " ", text);
    if (old)
        free(e->explain);
    e->explain = grown;
}

/* Checks a complete entry; messages name the entry's header line. */
static void finish(struct entry *e)
{
    unsigned long reading = gen_line;
    gen_line = e->line;
    if (!e->category)
        die("entry has no category");
    if (e->risk < 0)
        die("entry has no risk");
    if (e->use_count == 0)
        die("entry has no 'use' line");
    if (!e->title)
        die("entry has no title");
    if (e->explain && strcmp(e->explain, "\x01") == 0)
        die("explain block is empty");
    if (e->explain) {
        size_t n = strlen(e->explain);
        if (n >= 2 && strcmp(e->explain + n - 2, "\n\n") == 0)
            die("explain block ends with a paragraph break");
    }
    for (size_t i = 0; i + 1 < entry_count; i++) {
        const struct entry *o = &entries[i];
        if (o->proto == e->proto && o->port == e->port && o->port_end == e->port_end &&
            strcmp(o->service, e->service) == 0)
            die("duplicate entry; the first is at %s:%lu", o->file, o->line);
    }
    gen_line = reading;
}

static void read_file(const char *path)
{
    FILE *in = fopen(path, "r");
    char line[TEXT_MAX];
    struct entry *e = NULL;
    if (!in) {
        gen_file = path;
        die("cannot open: %s", strerror(errno));
    }
    gen_file = path;
    gen_line = 0;
    while (fgets(line, sizeof line, in)) {
        gen_line++;
        if (!strchr(line, '\n') && !feof(in))
            die("line too long");
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || trim(line)[0] == '\0')
            continue;
        if (line[0] == ' ' || line[0] == '\t') {
            if (!e)
                die("indented line before any entry");
            add_explain_line(e, trim(line));
        } else if (line[0] == '[') {
            if (e)
                finish(e);
            if (entry_count == MAX_ENTRIES)
                die("more than %d entries", MAX_ENTRIES);
            e = &entries[entry_count++];
            e->file = path;
            e->line = gen_line;
            e->risk = -1;
            parse_header(e, line);
        } else {
            if (!e)
                die("field before any [PORT/PROTO] header");
            parse_field(e, line);
        }
    }
    if (e)
        finish(e);
    fclose(in);
}

static int entry_cmp(const void *pa, const void *pb)
{
    const struct entry *a = pa, *b = pb;
    if (a->proto != b->proto)
        return a->proto - b->proto;
    if (a->port != b->port)
        return a->port < b->port ? -1 : 1;
    if (a->port_end != b->port_end)
        return a->port_end < b->port_end ? -1 : 1;
    return strcmp(a->service, b->service);
}

static void emit_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20 || c > 0x7e)
            fprintf(out, "\\%03o", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void emit(FILE *out)
{
    fputs("/* Generated by tools/gen-knowledge from data/knowledge/. Do not edit. */\n"
          "#include \"knowledge/table.h\"\n\n", out);
    for (size_t i = 0; i < entry_count; i++) {
        fprintf(out, "static const struct ps_use uses_%zu[] = {\n", i);
        for (int u = 0; u < entries[i].use_count; u++) {
            fputs("    {", out);
            emit_string(out, entries[i].uses[u].name);
            fputs(", ", out);
            emit_string(out, entries[i].uses[u].note);
            fputs("},\n", out);
        }
        fputs("};\n", out);
    }
    fputs("\nconst struct ps_knowledge ps__knowledge_table[] = {\n", out);
    if (entry_count == 0)
        fputs("    {0}, /* C has no empty arrays; the count below is 0 */\n", out);
    for (size_t i = 0; i < entry_count; i++) {
        const struct entry *e = &entries[i];
        fprintf(out, "    {%lu, %lu, %d, ", e->port, e->port_end, e->proto);
        emit_string(out, e->service);
        fputs(", ", out);
        emit_string(out, e->title);
        fputs(", ", out);
        emit_string(out, e->category);
        fprintf(out, ", %d, %uu, uses_%zu, %d, ", e->risk, e->flags, i, e->use_count);
        emit_string(out, e->alternative);
        fputs(", ", out);
        emit_string(out, e->references);
        fputs(", ", out);
        emit_string(out, e->related);
        fputs(", ", out);
        emit_string(out, e->explain);
        fputs("},\n", out);
    }
    fprintf(out, "};\n\nconst size_t ps__knowledge_count = %zu;\n", entry_count);
    /* The few range entries, so lookups need not scan the whole table. */
    size_t ranges = 0;
    fputs("\nconst unsigned ps__knowledge_ranges[] = {", out);
    for (size_t i = 0; i < entry_count; i++)
        if (entries[i].port != entries[i].port_end)
            fprintf(out, "%s%zu", ranges++ ? ", " : "", i);
    fprintf(out, "%s};\nconst size_t ps__knowledge_range_count = %zu;\n",
            ranges ? "" : "0", ranges);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen-knowledge OUTPUT [FILE...]\n");
        return 2;
    }
    for (int i = 2; i < argc; i++)
        read_file(argv[i]);
    qsort(entries, entry_count, sizeof entries[0], entry_cmp);
    gen_output = argv[1];
    FILE *out = fopen(gen_output, "w");
    if (!out) {
        perror(gen_output);
        return 1;
    }
    emit(out);
    if (fclose(out) != 0) {
        perror(gen_output);
        remove(gen_output);
        return 1;
    }
    return 0;
}
