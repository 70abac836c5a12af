/* lc_schema.h - a small declarative schema for Ludwig config sections: each key's accepted types,
 * range or choices, and default. lc_schema_fill validates a YAML map against a section and builds
 * the same section as JSON with every default filled in (what model_hyperparameters.json holds).
 * Unknown keys are errors naming file:line:col, the key path and the nearest known key.
 */
#ifndef LC_SCHEMA_H
#define LC_SCHEMA_H

#include <cJSON.h>

#include "lc_error.h"
#include "lc_yaml.h"

enum {
    T_NULL = 1,
    T_BOOL = 2,
    T_INT = 4,
    T_FLOAT = 8,   /* integers are accepted too and stored as numbers */
    T_STR = 16,
    T_NUMLIST = 32, /* list of numbers (e.g. betas, probabilities, kernel [h, w]) */
    T_MAP = 64,     /* a nested section (sub != NULL) or a free dictionary (sub == NULL) */
    T_MAPLIST = 128, /* a list of maps validated by sub (e.g. conv_layers) */
    T_STRLIST = 256  /* a list of strings (e.g. a category encoder's vocab) */
};

enum {
    F_EXCL_MIN = 1,   /* min is exclusive */
    F_DEFAULT_ONLY = 2, /* accepted only at its default value: ludwig-c does not implement others */
    F_IGNORED = 4,    /* accepted (Ludwig reads it) but has no effect upstream either */
    F_UPSTREAM_IGNORES = 8, /* a legacy alias Ludwig 0.10.3 ignores; ludwig-c honours it */
    F_DROPPED = 16    /* a key Ludwig 0.10.3 no longer has and drops with a warning: accepted
                       * with a note, left out of the filled config */
};

typedef struct lc_section lc_section;

typedef struct lc_key {
    const char *name;
    unsigned types;
    const char *dflt;     /* JSON text of the default; NULL = omit when absent */
    double min, max;      /* numeric range when min < max */
    const char *choices;  /* "a|b|c" for strings */
    const lc_section *sub;
    unsigned flags;
    const char *alias_of; /* legacy spelling of another key in this section */
} lc_key;

struct lc_section {
    const char *name;
    const lc_key *keys;
};

typedef struct lc_schema_ctx {
    const char *file;
    lc_error *e;
    /* notes for the user (legacy keys honoured, etc.), printed by the caller; may be NULL */
    void (*note)(void *arg, const char *msg);
    void *note_arg;
} lc_schema_ctx;

/* Validates map y (may be NULL = empty) against sec at path (e.g. "trainer") and returns a new
 * JSON object with all keys (user values, then values from defaults_obj when given, then schema
 * defaults). fill_defaults = 0 validates without filling (for the `defaults:` section). */
lc_status lc_schema_fill(const lc_schema_ctx *c, const lc_section *sec, const lc_ynode *y,
                         const char *path, const cJSON *defaults_obj, int fill_defaults,
                         cJSON **out);

/* Converts one scalar/list node to JSON as key k expects (no range checks), for callers that
 * handle a key themselves. */
lc_status lc_schema_value(const lc_schema_ctx *c, const lc_key *k, const lc_ynode *y,
                          const char *path, cJSON **out);

/* A YAML 1.1 boolean (true/True/TRUE/yes/on..., false/no/off...): 1 with *out set, else 0. */
int lc_schema_yaml_bool(const char *s, int *out);

/* A YAML node as PyYAML's safe loader types it (plain null, booleans, integers, floats with a '.'
 * or YAML's .inf/.nan; every other scalar a string), as a cJSON tree; NULL when out of memory. */
cJSON *lc_schema_yaml_json(const lc_ynode *y);

/* Levenshtein-nearest name among sec's keys (NULL if nothing is close). */
const char *lc_schema_nearest(const lc_section *sec, const char *name);
const char *lc_nearest_word(const char *const *words, int n, const char *name);

#endif
