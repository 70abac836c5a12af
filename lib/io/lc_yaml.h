/* lc_yaml.h - a YAML document as a small tree of maps, sequences and scalars, each node carrying
 * its 1-based line and column so config errors can say file:line:col. Built on libyaml's parser;
 * typing (numbers, booleans, null) is left to the config layer, which knows what each key expects.
 * Anchors/aliases, tags and multi-document streams are refused with a message.
 */
#ifndef LC_YAML_H
#define LC_YAML_H

#include <stddef.h>

#include "lc_error.h"

typedef enum lc_ykind { LC_YSCALAR = 0, LC_YMAP, LC_YSEQ } lc_ykind;

typedef struct lc_ynode lc_ynode;
typedef struct lc_yentry {
    char *key;
    int line, col; /* of the key */
    lc_ynode *value;
} lc_yentry;

struct lc_ynode {
    lc_ykind kind;
    int line, col;
    char *str;     /* scalar text (UTF-8); NULL for maps and sequences */
    int plain;     /* scalar was unquoted (so "null", "true", "5" may be typed) */
    size_t n;      /* entries (map) or items (sequence) */
    lc_yentry *entries;
    lc_ynode **items;
};

/* Parses path; on success *out owns the root (free with lc_ynode_free). An empty document gives
 * an empty map. */
lc_status lc_yaml_load(const char *path, lc_ynode **out, lc_error *e);
lc_status lc_yaml_parse(const char *text, size_t len, const char *name, lc_ynode **out,
                        lc_error *e);
void lc_ynode_free(lc_ynode *n);
/* A deep copy (positions kept); NULL when out of memory. */
lc_ynode *lc_ynode_dup(const lc_ynode *n);

/* Map lookup; NULL if absent or n is not a map. */
lc_ynode *lc_ymap_get(const lc_ynode *n, const char *key);
const lc_yentry *lc_ymap_entry(const lc_ynode *n, const char *key);
/* A plain scalar spelling null ("null", "Null", "NULL", "~", "") */
int lc_yscalar_is_null(const lc_ynode *n);

#endif
