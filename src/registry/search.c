/* Ranked full-text search over names, aliases and descriptions. */
#include <stdlib.h>
#include <string.h>

#include "portscope/knowledge.h"
#include "registry/internal.h"

enum {
    SCORE_NAME_EXACT = 100,
    SCORE_ALIAS_EXACT = 80,
    SCORE_NAME_PREFIX = 50,
    SCORE_NAME_PART = 30,
    SCORE_ALIAS_PART = 20,
    SCORE_DESC_WORD = 15,
    SCORE_DESC_PART = 10,
    SCORE_USE_NAME = 45,  /* knowledge: "doom", "bittorrent" name a use */
    SCORE_TITLE = 25,
    SCORE_CATEGORY = 20,
    SCORE_KNOWLEDGE_TEXT = 8,
};

static bool is_word_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

/* Best score of one lower-cased word against a record, 0 if absent. */
static int score_word(const struct ps_service *s, const char *w, size_t wlen)
{
    if (ps__strcaseeq(s->name, w))
        return SCORE_NAME_EXACT;
    int best = 0;
    for (unsigned i = 0; i < s->alias_count; i++) {
        if (ps__strcaseeq(s->aliases[i], w))
            return SCORE_ALIAS_EXACT;
        if (ps__strcasestr(s->aliases[i], w, wlen))
            best = SCORE_ALIAS_PART;
    }
    const char *hit = ps__strcasestr(s->name, w, wlen);
    if (hit)
        return hit == s->name ? SCORE_NAME_PREFIX : SCORE_NAME_PART;
    if (best)
        return best;
    for (const char *d = s->description; (hit = ps__strcasestr(d, w, wlen));
         d = hit + 1) {
        bool starts = hit == s->description || !is_word_char(hit[-1]);
        if (starts && !is_word_char(hit[wlen]))
            return SCORE_DESC_WORD;
        best = SCORE_DESC_PART;
    }
    return best;
}

/* What the knowledge base says about the record: use names, title,
 * category, then the notes and explanation. */
static int score_knowledge(const struct ps_service *s, const char *w, size_t wlen)
{
    const struct ps_knowledge *k = ps_knowledge_for(s);
    if (!k)
        return 0;
    for (unsigned i = 0; i < k->use_count; i++)
        if (ps__strcasestr(k->uses[i].name, w, wlen))
            return SCORE_USE_NAME;
    if (ps__strcasestr(k->title, w, wlen))
        return SCORE_TITLE;
    if (ps__strcaseeq(k->category, w))
        return SCORE_CATEGORY;
    for (unsigned i = 0; i < k->use_count; i++)
        if (ps__strcasestr(k->uses[i].note, w, wlen))
            return SCORE_KNOWLEDGE_TEXT;
    if (ps__strcasestr(k->explain, w, wlen) || ps__strcasestr(k->alternative, w, wlen))
        return SCORE_KNOWLEDGE_TEXT;
    return 0;
}

static int match_cmp(const void *pa, const void *pb)
{
    const struct ps_match *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->service->port != b->service->port)
        return a->service->port < b->service->port ? -1 : 1;
    if (a->service->proto != b->service->proto)
        return a->service->proto < b->service->proto ? -1 : 1;
    return a->service < b->service ? -1 : a->service > b->service;
}

static char **lower_words(const char *const *words, size_t n)
{
    char **out = calloc(n, sizeof *out);
    for (size_t i = 0; out && i < n; i++) {
        size_t len = strlen(words[i]);
        if (!(out[i] = malloc(len + 1))) {
            for (size_t k = 0; k < i; k++)
                free(out[k]);
            free(out);
            return NULL;
        }
        for (size_t k = 0; k <= len; k++)
            out[i][k] = (char)ps__lower((unsigned char)words[i][k]);
    }
    return out;
}

int ps_registry_search(const struct ps_registry *reg, const char *const *words,
                       size_t word_count, struct ps_match **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    if (word_count == 0)
        return PS_EINVAL;
    for (size_t w = 0; w < word_count; w++)
        if (!words[w] || !words[w][0])
            return PS_EINVAL;
    if (!reg->sealed)
        return PS_ESTATE;
    char **lw = lower_words(words, word_count);
    struct ps_match *m = NULL;
    size_t n = 0, cap = 0;
    int rc = lw ? 0 : PS_ENOMEM;

    for (size_t i = 0; rc == 0 && i < reg->count; i++) {
        const struct ps_service *s = &reg->records[i];
        int total = 0;
        if (!ps__record_valid(reg, s))
            continue;
        for (size_t w = 0; w < word_count; w++) {
            size_t wlen = strlen(lw[w]);
            int sc = score_word(s, lw[w], wlen), ks = score_knowledge(s, lw[w], wlen);
            sc = sc > ks ? sc : ks;
            if (sc == 0) {
                total = 0;
                break;
            }
            total += sc;
        }
        if (total == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct ps_match *grown = realloc(m, cap * sizeof *grown);
            if (!grown) {
                rc = PS_ENOMEM;
                break;
            }
            m = grown;
        }
        m[n++] = (struct ps_match){.service = s, .score = total};
    }
    for (size_t w = 0; lw && w < word_count; w++)
        free(lw[w]);
    free(lw);
    if (rc) {
        free(m);
        return rc;
    }
    if (n)
        qsort(m, n, sizeof *m, match_cmp);
    *out = m;
    *count = n;
    return 0;
}
