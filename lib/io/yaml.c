/* yaml.c - builds the lc_ynode tree from libyaml's event stream. Only the structure and the
 * positions are kept; what a scalar means is decided by the config schema. */
#include "lc_yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "lc_mem.h"
#include "lc_strtab.h"

#define LC_YAML_MAX_BYTES (16u << 20)
#define LC_YAML_MAX_DEPTH 64

typedef struct {
    yaml_parser_t parser;
    const char *name;
    lc_error *e;
    int depth;
} yctx;

void lc_ynode_free(lc_ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        if (n->kind == LC_YMAP) {
            free(n->entries[i].key);
            lc_ynode_free(n->entries[i].value);
        } else if (n->kind == LC_YSEQ) {
            lc_ynode_free(n->items[i]);
        }
    }
    free(n->entries);
    free(n->items);
    free(n->str);
    free(n);
}

lc_ynode *lc_ynode_dup(const lc_ynode *n)
{
    lc_ynode *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->kind = n->kind, d->line = n->line, d->col = n->col, d->plain = n->plain;
    if (n->str && !(d->str = lc_strdup(n->str)))
        goto fail;
    if (n->kind == LC_YMAP && n->n) {
        if (!(d->entries = calloc(n->n, sizeof *d->entries)))
            goto fail;
        for (; d->n < n->n; d->n++) {
            lc_yentry *de = &d->entries[d->n];
            const lc_yentry *se = &n->entries[d->n];
            de->line = se->line, de->col = se->col;
            de->key = lc_strdup(se->key);
            de->value = lc_ynode_dup(se->value);
            if (!de->key || !de->value) {
                d->n++;
                goto fail;
            }
        }
    } else if (n->kind == LC_YSEQ && n->n) {
        if (!(d->items = calloc(n->n, sizeof *d->items)))
            goto fail;
        for (; d->n < n->n; d->n++)
            if (!(d->items[d->n] = lc_ynode_dup(n->items[d->n]))) {
                d->n++;
                goto fail;
            }
    }
    return d;
fail:
    lc_ynode_free(d);
    return NULL;
}

static lc_status parse_error(yctx *c)
{
    yaml_parser_t *p = &c->parser;
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    const char *what = p->problem ? p->problem : "malformed YAML";
    if (p->context)
        return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: invalid YAML: %s %s", c->name, line,
                            col, what, p->context);
    return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: invalid YAML: %s", c->name, line, col,
                        what);
}

static lc_status next_event(yctx *c, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&c->parser, ev))
        return parse_error(c);
    return LC_OK;
}

static lc_status parse_node(yctx *c, yaml_event_t *ev, lc_ynode **out);
static lc_status parse_items(yctx *c, lc_ynode *n, yaml_event_type_t end, lc_strtab *keys);

static lc_ynode *new_node(lc_ykind kind, const yaml_event_t *ev)
{
    lc_ynode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->line = (int)ev->start_mark.line + 1;
    n->col = (int)ev->start_mark.column + 1;
    return n;
}

static const char *entry_key(const void *ctx, size_t i)
{
    return ((const lc_ynode *)ctx)->entries[i].key;
}

static lc_status parse_children(yctx *c, lc_ynode *n, yaml_event_type_t end)
{
    lc_strtab keys; /* a map's keys so far: duplicates are found in linear time */
    lc_strtab_init(&keys, entry_key, n);
    lc_status st = parse_items(c, n, end, &keys);
    lc_strtab_free(&keys);
    return st;
}

static lc_status parse_items(yctx *c, lc_ynode *n, yaml_event_type_t end, lc_strtab *keys)
{
    size_t cap = 0;
    for (;;) {
        yaml_event_t ev;
        lc_status st = next_event(c, &ev);
        if (st)
            return st;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return LC_OK;
        }
        if (n->n == cap) {
            cap = cap ? cap * 2 : 8;
            if (n->kind == LC_YMAP) {
                lc_yentry *g = lc_realloc_array(n->entries, cap, sizeof *g);
                if (!g) {
                    yaml_event_delete(&ev);
                    return lc_error_set(c->e, LC_ERR_NOMEM, "%s: out of memory", c->name);
                }
                n->entries = g;
            } else {
                lc_ynode **g = lc_realloc_array(n->items, cap, sizeof *g);
                if (!g) {
                    yaml_event_delete(&ev);
                    return lc_error_set(c->e, LC_ERR_NOMEM, "%s: out of memory", c->name);
                }
                n->items = g;
            }
        }
        if (n->kind == LC_YSEQ) {
            lc_ynode *item = NULL;
            st = parse_node(c, &ev, &item);
            if (st)
                return st;
            n->items[n->n++] = item;
            continue;
        }
        /* map: key must be a scalar */
        int kline = (int)ev.start_mark.line + 1, kcol = (int)ev.start_mark.column + 1;
        if (ev.type != YAML_SCALAR_EVENT) {
            yaml_event_delete(&ev);
            return lc_error_set(c->e, LC_ERR_CONFIG,
                                "%s:%d:%d: a mapping key must be a plain string", c->name, kline,
                                kcol);
        }
        char *key = lc_strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
        yaml_event_delete(&ev);
        if (!key)
            return lc_error_set(c->e, LC_ERR_NOMEM, "%s: out of memory", c->name);
        lc_yentry *en = &n->entries[n->n];
        en->key = key;
        en->line = kline;
        en->col = kcol;
        en->value = NULL;
        size_t first;
        int dup = lc_strtab_add(keys, n->n, &first);
        if (dup) {
            st = dup < 0 ? lc_error_set(c->e, LC_ERR_NOMEM, "%s: out of memory", c->name)
                         : lc_error_set(c->e, LC_ERR_CONFIG,
                                        "%s:%d:%d: duplicate key '%s' (first given at line %d)",
                                        c->name, kline, kcol, key, n->entries[first].line);
            en->key = NULL;
            free(key);
            return st;
        }
        n->n++;
        st = next_event(c, &ev);
        if (st)
            return st;
        st = parse_node(c, &ev, &en->value);
        if (st)
            return st;
    }
}

/* Consumes ev (always deletes it). */
static lc_status parse_node(yctx *c, yaml_event_t *ev, lc_ynode **out)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    lc_status st = LC_OK;
    lc_ynode *n = NULL;
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        st = lc_error_set(c->e, LC_ERR_CONFIG,
                          "%s:%d:%d: YAML aliases (*name) are not supported; write the value out",
                          c->name, line, col);
        break;
    case YAML_SCALAR_EVENT:
        n = new_node(LC_YSCALAR, ev);
        if (!n || !(n->str = lc_strndup((const char *)ev->data.scalar.value,
                                        ev->data.scalar.length))) {
            st = lc_error_set(c->e, LC_ERR_NOMEM, "%s: out of memory", c->name);
            break;
        }
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int is_map = ev->type == YAML_MAPPING_START_EVENT;
        if (++c->depth > LC_YAML_MAX_DEPTH) {
            st = lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: nesting deeper than %d levels",
                              c->name, line, col, LC_YAML_MAX_DEPTH);
            break;
        }
        n = new_node(is_map ? LC_YMAP : LC_YSEQ, ev);
        if (!n) {
            st = lc_error_set(c->e, LC_ERR_NOMEM, "%s: out of memory", c->name);
            break;
        }
        st = parse_children(c, n, is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT);
        c->depth--;
        break;
    }
    default:
        st = lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: unexpected YAML structure", c->name,
                          line, col);
        break;
    }
    yaml_event_delete(ev);
    if (st) {
        lc_ynode_free(n);
        return st;
    }
    *out = n;
    return LC_OK;
}

lc_status lc_yaml_parse(const char *text, size_t len, const char *name, lc_ynode **out,
                        lc_error *e)
{
    yctx c = {.name = name, .e = e};
    *out = NULL;
    if (!yaml_parser_initialize(&c.parser))
        return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", name);
    yaml_parser_set_input_string(&c.parser, (const unsigned char *)text, len);
    lc_ynode *root = NULL;
    lc_status st;
    yaml_event_t ev;
    int docs = 0;
    for (;;) {
        st = next_event(&c, &ev);
        if (st)
            goto done;
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            st = lc_error_set(e, LC_ERR_CONFIG,
                              "%s:%d: more than one YAML document (---); give one config", name,
                              (int)ev.start_mark.line + 1);
            yaml_event_delete(&ev);
            goto done;
        }
        if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
            t == YAML_MAPPING_START_EVENT || t == YAML_ALIAS_EVENT) {
            st = parse_node(&c, &ev, &root);
            if (st)
                goto done;
            continue;
        }
        yaml_event_delete(&ev);
    }
    if (!root) {
        yaml_event_t fake = {0};
        root = new_node(LC_YMAP, &fake);
        if (!root) {
            st = lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", name);
            goto done;
        }
        root->line = root->col = 1;
    } else if (root->kind == LC_YSCALAR && lc_yscalar_is_null(root)) {
        root->kind = LC_YMAP;
        free(root->str);
        root->str = NULL;
    }
    *out = root;
    root = NULL;
done:
    lc_ynode_free(root);
    yaml_parser_delete(&c.parser);
    return st;
}

lc_status lc_yaml_load(const char *path, lc_ynode **out, lc_error *e)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return lc_error_set(e, LC_ERR_IO, "%s: cannot open config: %m", path);
    char *buf = malloc(LC_YAML_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t len = fread(buf, 1, LC_YAML_MAX_BYTES + 1, f);
    int err = ferror(f);
    fclose(f);
    lc_status st;
    if (err)
        st = lc_error_set(e, LC_ERR_IO, "%s: read error", path);
    else if (len > LC_YAML_MAX_BYTES)
        st = lc_error_set(e, LC_ERR_CONFIG, "%s: config larger than %u MiB", path,
                          LC_YAML_MAX_BYTES >> 20);
    else
        st = lc_yaml_parse(buf, len, path, out, e);
    free(buf);
    return st;
}

const lc_yentry *lc_ymap_entry(const lc_ynode *n, const char *key)
{
    if (!n || n->kind != LC_YMAP)
        return NULL;
    for (size_t i = 0; i < n->n; i++)
        if (strcmp(n->entries[i].key, key) == 0)
            return &n->entries[i];
    return NULL;
}

lc_ynode *lc_ymap_get(const lc_ynode *n, const char *key)
{
    const lc_yentry *en = lc_ymap_entry(n, key);
    return en ? en->value : NULL;
}

int lc_yscalar_is_null(const lc_ynode *n)
{
    if (!n || n->kind != LC_YSCALAR || !n->plain)
        return 0;
    const char *s = n->str;
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}
