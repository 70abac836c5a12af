/* schema.c - validates YAML maps against lc_section tables and fills defaults into JSON.
 * Scalars are typed here (YAML 1.1 booleans and nulls as PyYAML reads them, integers, floats),
 * because only the schema knows what a key expects. */
#include "lc_schema.h"
#include "lc_json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int levenshtein(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    int d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            d[i][j] = v;
        }
    return d[la][lb];
}

const char *lc_nearest_word(const char *const *words, int n, const char *name)
{
    const char *best = NULL;
    int bd = 99;
    for (int i = 0; i < n; i++) {
        int dd = levenshtein(words[i], name);
        /* a key containing the other also counts as close (e.g. "epoch" vs "epochs") */
        if (strstr(words[i], name) || strstr(name, words[i]))
            dd = dd < 2 ? dd : 2;
        if (dd < bd) {
            bd = dd;
            best = words[i];
        }
    }
    size_t len = strlen(name);
    int limit = len <= 4 ? 1 : len <= 8 ? 3 : 4;
    return bd <= limit ? best : NULL;
}

const char *lc_schema_nearest(const lc_section *sec, const char *name)
{
    const char *words[256];
    int n = 0;
    for (const lc_key *k = sec->keys; k->name && n < 256; k++)
        words[n++] = k->name;
    return lc_nearest_word(words, n, name);
}

static const lc_key *find_key(const lc_section *sec, const char *name)
{
    for (const lc_key *k = sec->keys; k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

int lc_schema_yaml_bool(const char *s, int *out)
{
    static const char *t[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
    static const char *f[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        if (strcmp(s, t[i]) == 0) {
            *out = 1;
            return 1;
        }
        if (strcmp(s, f[i]) == 0) {
            *out = 0;
            return 1;
        }
    }
    return 0;
}

/* An integer as PyYAML (YAML 1.1) reads one: [-+] then 0, a decimal without a leading zero, 0b
 * binary, 0x hex or 0-prefixed octal ("010" is 8), '_' allowed between digits; sexagesimal
 * (1:30) is left out. 0 when s is not one, or does not fit 64 bits. */
static int parse_long(const char *s, long long *out)
{
    const char *p = s;
    int neg = 0, base = 10;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (!*p)
        return 0;
    if (p[0] == '0' && p[1] == 'b')
        base = 2, p += 2;
    else if (p[0] == '0' && p[1] == 'x')
        base = 16, p += 2;
    else if (p[0] == '0' && p[1])
        base = 8, p += 1;
    if (!*p)
        return 0;
    unsigned long long v = 0;
    int digits = 0;
    for (; *p; p++) {
        int d;
        if (*p == '_')
            continue;
        if (*p >= '0' && *p <= '9')
            d = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            d = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            d = *p - 'A' + 10;
        else
            return 0;
        if (d >= base || v > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
            return 0;
        v = v * (unsigned)base + (unsigned)d;
        digits++;
    }
    if (!digits || v > (unsigned long long)LLONG_MAX + (neg ? 1u : 0u))
        return 0;
    *out = neg ? (long long)(0 - v) : (long long)v;
    return 1;
}

static int parse_double(const char *s, double *out)
{
    if (!*s)
        return 0;
    if (strcmp(s, ".inf") == 0 || strcmp(s, ".Inf") == 0) {
        *out = INFINITY;
        return 1;
    }
    if (strcmp(s, "-.inf") == 0 || strcmp(s, "-.Inf") == 0) {
        *out = -INFINITY;
        return 1;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || isnan(v) || (isinf(v) && !strchr(s, 'i')))
        return 0;
    /* strtod accepts "nan"/"inf"/hex: YAML does not */
    for (const char *p = s; *p; p++)
        if (!strchr("0123456789+-.eE", *p))
            return 0;
    *out = v;
    return 1;
}

static void describe_types(unsigned t, const char *choices, char *buf, size_t n)
{
    buf[0] = '\0';
    const char *sep = "";
    size_t len = 0;
#define ADD(s)                                                                                    \
    do {                                                                                          \
        len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", sep, s);                \
        sep = " or ";                                                                             \
    } while (0)
    if (t & T_BOOL) ADD("true/false");
    if (t & T_INT) ADD("an integer");
    if ((t & T_FLOAT) && !(t & T_INT)) ADD("a number");
    if (t & T_STR) {
        if (choices) {
            char tmp[400];
            snprintf(tmp, sizeof tmp, "one of %s", choices);
            for (char *p = tmp; *p; p++)
                if (*p == '|')
                    *p = ',';
            ADD(tmp);
        } else {
            ADD("a string");
        }
    }
    if (t & T_NUMLIST) ADD("a list of numbers");
    if (t & T_MAP) ADD("a mapping");
    if (t & T_MAPLIST) ADD("a list of mappings");
    if (t & T_STRLIST) ADD("a list of strings");
    if (t & T_NULL) ADD("null");
    if (len >= n && n > 4)
        strcpy(buf + n - 4, "...");
#undef ADD
}

static int in_choices(const char *choices, const char *s)
{
    size_t len = strlen(s);
    const char *p = choices;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == len && strncmp(p, s, l) == 0)
            return 1;
        if (!bar)
            break;
        p = bar + 1;
    }
    return 0;
}

static lc_status type_error(const lc_schema_ctx *c, const lc_key *k, const lc_ynode *y,
                            const char *path)
{
    char want[512];
    describe_types(k->types, k->choices, want, sizeof want);
    const char *got = y->kind == LC_YMAP ? "a mapping"
                      : y->kind == LC_YSEQ ? "a list"
                                           : NULL;
    if (got)
        return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s: expected %s, got %s", c->file,
                            y->line, y->col, path, want, got);
    if (k->choices && (k->types & T_STR)) {
        const char *words[64];
        int n = 0;
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s", k->choices);
        for (char *tok = strtok(tmp, "|"); tok && n < 64; tok = strtok(NULL, "|"))
            words[n++] = tok;
        const char *near = lc_nearest_word(words, n, y->str);
        if (near) {
            lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s: expected %s, got '%s'", c->file,
                         y->line, y->col, path, want, y->str);
            lc_error_hint(c->e, "did you mean '%s'?", near);
            return LC_ERR_CONFIG;
        }
    }
    return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s: expected %s, got '%s'", c->file,
                        y->line, y->col, path, want, y->str);
}

static lc_status check_range(const lc_schema_ctx *c, const lc_key *k, const lc_ynode *y,
                             const char *path, double v)
{
    if (!(k->min < k->max))
        return LC_OK;
    int low = (k->flags & F_EXCL_MIN) ? !(v > k->min) : !(v >= k->min);
    if (low || v > k->max) {
        char lo[32], hi[32];
        snprintf(lo, sizeof lo, "%g", k->min);
        snprintf(hi, sizeof hi, "%g", k->max);
        if (k->max >= 1e300)
            return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s: must be %s %s, got %s",
                                c->file, y->line, y->col, path,
                                (k->flags & F_EXCL_MIN) ? ">" : ">=", lo, y->str);
        return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s: must be in %s%s, %s], got %s",
                            c->file, y->line, y->col, path, (k->flags & F_EXCL_MIN) ? "(" : "[",
                            lo, hi, y->str);
    }
    return LC_OK;
}

static lc_status scalar_value(const lc_schema_ctx *c, const lc_key *k, const lc_ynode *y,
                              const char *path, int check, cJSON **out)
{
    const char *s = y->str;
    int b;
    long long iv;
    double dv;
    lc_status st;
    if ((k->types & T_NULL) && lc_yscalar_is_null(y)) {
        *out = cJSON_CreateNull();
    } else if ((k->types & T_BOOL) && y->plain && lc_schema_yaml_bool(s, &b)) {
        *out = cJSON_CreateBool(b);
    } else if ((k->types & T_INT) && y->plain && parse_long(s, &iv)) {
        /* the model and trainer hold their integers in C ints: a larger value would wrap (a key
         * whose own default is larger, such as max_batch_size's 2^40, is held wider) */
        if ((iv > INT_MAX || iv < INT_MIN) && !(k->dflt && fabs(strtod(k->dflt, NULL)) > INT_MAX))
            return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s: %s is out of range (an integer from %d to %d)",
                                c->file, y->line, y->col, path, s, INT_MIN, INT_MAX);
        if (check && (st = check_range(c, k, y, path, (double)iv)))
            return st;
        *out = cJSON_CreateNumber((double)iv);
    } else if ((k->types & T_FLOAT) && y->plain && parse_double(s, &dv)) {
        if (check && (st = check_range(c, k, y, path, dv)))
            return st;
        *out = cJSON_CreateNumber(dv);
    } else if (k->types & T_STR) {
        if (k->choices && !in_choices(k->choices, s))
            return type_error(c, k, y, path);
        *out = cJSON_CreateString(s);
    } else {
        return type_error(c, k, y, path);
    }
    if (!*out)
        return lc_error_set(c->e, LC_ERR_NOMEM, "out of memory reading the config");
    return LC_OK;
}

static lc_status list_value(const lc_schema_ctx *c, const lc_key *k, const lc_ynode *y,
                            const char *path, cJSON **out)
{
    /* an integer or a list of integers is a 2-D size: [height, width] (torch's Conv2d and
     * pooling take exactly two) */
    int pair = (k->types & T_INT) != 0;
    if (pair && y->n != 2)
        return lc_error_set(c->e, LC_ERR_CONFIG,
                            "%s:%d:%d: %s: expected an integer or a list of two integers [height, width], got a list of %zu",
                            c->file, y->line, y->col, path, y->n);
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return lc_error_set(c->e, LC_ERR_NOMEM, "out of memory reading the config");
    for (size_t i = 0; i < y->n; i++) {
        const lc_ynode *it = y->items[i];
        double dv;
        if (pair && it->kind == LC_YSCALAR && it->plain && parse_double(it->str, &dv) &&
            dv != floor(dv)) {
            cJSON_Delete(arr);
            return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s[%zu]: expected an integer, got %s",
                                c->file, it->line, it->col, path, i, it->str);
        }
        if (it->kind != LC_YSCALAR || !it->plain || !parse_double(it->str, &dv)) {
            cJSON_Delete(arr);
            return lc_error_set(c->e, LC_ERR_CONFIG,
                                "%s:%d:%d: %s[%zu]: expected a number, got %s", c->file,
                                it->line, it->col, path, i,
                                it->kind == LC_YSCALAR ? it->str : "a structure");
        }
        lc_status st = check_range(c, k, it, path, dv);
        if (st) {
            cJSON_Delete(arr);
            return st;
        }
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(dv));
    }
    *out = arr;
    return LC_OK;
}

static lc_status free_map_value(const lc_schema_ctx *c, const lc_ynode *y, const char *path,
                                cJSON **out);

/* A free-form value (norm_params and similar): scalars typed as YAML would type them. */
static lc_status free_value(const lc_schema_ctx *c, const lc_ynode *y, const char *path,
                            cJSON **out)
{
    if (y->kind == LC_YMAP)
        return free_map_value(c, y, path, out);
    if (y->kind == LC_YSEQ) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; arr && i < y->n; i++) {
            cJSON *v = NULL;
            lc_status st = free_value(c, y->items[i], path, &v);
            if (st) {
                cJSON_Delete(arr);
                return st;
            }
            cJSON_AddItemToArray(arr, v);
        }
        *out = arr;
        return arr ? LC_OK : lc_error_set(c->e, LC_ERR_NOMEM, "out of memory");
    }
    int b;
    long long iv;
    double dv;
    if (lc_yscalar_is_null(y))
        *out = cJSON_CreateNull();
    else if (y->plain && lc_schema_yaml_bool(y->str, &b))
        *out = cJSON_CreateBool(b);
    else if (y->plain && parse_long(y->str, &iv))
        *out = cJSON_CreateNumber((double)iv);
    else if (y->plain && parse_double(y->str, &dv))
        *out = cJSON_CreateNumber(dv);
    else
        *out = cJSON_CreateString(y->str);
    return *out ? LC_OK : lc_error_set(c->e, LC_ERR_NOMEM, "out of memory");
}

static lc_status free_map_value(const lc_schema_ctx *c, const lc_ynode *y, const char *path,
                                cJSON **out)
{
    cJSON *obj = cJSON_CreateObject();
    for (size_t i = 0; obj && i < y->n; i++) {
        cJSON *v = NULL;
        lc_status st = free_value(c, y->entries[i].value, path, &v);
        if (st) {
            cJSON_Delete(obj);
            return st;
        }
        cJSON_AddItemToObject(obj, y->entries[i].key, v);
    }
    *out = obj;
    return obj ? LC_OK : lc_error_set(c->e, LC_ERR_NOMEM, "out of memory");
}

static lc_status value_of(const lc_schema_ctx *c, const lc_key *k, const lc_ynode *y,
                          const char *path, const cJSON *dflt_obj, int fill, cJSON **out)
{
    if (y->kind == LC_YSCALAR) {
        if (lc_yscalar_is_null(y) && (k->types & T_NULL)) {
            *out = cJSON_CreateNull();
            return LC_OK;
        }
        return scalar_value(c, k, y, path, 1, out);
    }
    if (y->kind == LC_YSEQ && (k->types & T_NUMLIST))
        return list_value(c, k, y, path, out);
    if (y->kind == LC_YSEQ && (k->types & T_STRLIST)) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; arr && i < y->n; i++) {
            const lc_ynode *it = y->items[i];
            if (it->kind != LC_YSCALAR) {
                cJSON_Delete(arr);
                return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s[%zu]: expected a string",
                                    c->file, it->line, it->col, path, i);
            }
            cJSON_AddItemToArray(arr, cJSON_CreateString(it->str));
        }
        if (!arr)
            return lc_error_set(c->e, LC_ERR_NOMEM, "out of memory reading the config");
        *out = arr;
        return LC_OK;
    }
    if (y->kind == LC_YMAP && (k->types & T_MAP)) {
        if (!k->sub)
            return free_map_value(c, y, path, out);
        return lc_schema_fill(c, k->sub, y, path, dflt_obj, fill, out);
    }
    if (y->kind == LC_YSEQ && (k->types & T_MAPLIST)) {
        cJSON *arr = cJSON_CreateArray();
        if (!arr)
            return lc_error_set(c->e, LC_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < y->n; i++) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            const lc_ynode *it = y->items[i];
            if (it->kind == LC_YSEQ && !k->sub) { /* a list of lists of mappings (stacked_layers) */
                cJSON *v = NULL;
                lc_status st = free_value(c, it, sub, &v);
                if (st) {
                    cJSON_Delete(arr);
                    return st;
                }
                cJSON_AddItemToArray(arr, v);
                continue;
            }
            if (it->kind != LC_YMAP) {
                cJSON_Delete(arr);
                return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s: expected a mapping",
                                    c->file, it->line, it->col, sub);
            }
            cJSON *v = NULL;
            /* list items keep exactly what the user wrote (Ludwig saves them unfilled); a list
             * without a section holds free mappings */
            lc_status st = k->sub ? lc_schema_fill(c, k->sub, it, sub, NULL, 0, &v)
                                  : free_map_value(c, it, sub, &v);
            if (st) {
                cJSON_Delete(arr);
                return st;
            }
            cJSON_AddItemToArray(arr, v);
        }
        *out = arr;
        return LC_OK;
    }
    return type_error(c, k, y, path);
}

lc_status lc_schema_value(const lc_schema_ctx *c, const lc_key *k, const lc_ynode *y,
                          const char *path, cJSON **out)
{
    return value_of(c, k, y, path, NULL, 1, out);
}

lc_status lc_schema_fill(const lc_schema_ctx *c, const lc_section *sec, const lc_ynode *y,
                         const char *path, const cJSON *defaults_obj, int fill_defaults,
                         cJSON **out)
{
    *out = NULL;
    if (y && y->kind != LC_YMAP) {
        if (lc_yscalar_is_null(y))
            y = NULL;
        else
            return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s: expected a mapping",
                                c->file, y->line, y->col, path);
    }
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return lc_error_set(c->e, LC_ERR_NOMEM, "out of memory reading the config");
    lc_status st = LC_OK;
    for (size_t i = 0; y && i < y->n; i++) {
        const lc_yentry *en = &y->entries[i];
        char kpath[512];
        snprintf(kpath, sizeof kpath, "%s%s%s", path, *path ? "." : "", en->key);
        const lc_key *k = find_key(sec, en->key);
        if (!k) {
            const char *near = lc_schema_nearest(sec, en->key);
            st = lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s: unknown key '%s'%s%s%s",
                              c->file, en->line, en->col, kpath, en->key,
                              near ? "; did you mean '" : "", near ? near : "",
                              near ? "'?" : "");
            goto fail;
        }
        if (k->flags & F_DROPPED) {
            if (c->note) {
                char msg[768];
                snprintf(msg, sizeof msg,
                         "%s:%d:%d: %s: not a setting in Ludwig 0.10.3, which drops it with a warning; ludwig-c drops it too",
                         c->file, en->line, en->col, kpath);
                c->note(c->note_arg, msg);
            }
            continue;
        }
        const char *store = k->alias_of ? k->alias_of : k->name;
        if (k->alias_of) {
            if (lc_ymap_get(y, k->alias_of)) {
                st = lc_error_set(c->e, LC_ERR_CONFIG,
                                  "%s:%d:%d: %s: '%s' and '%s' name the same setting; give one",
                                  c->file, en->line, en->col, kpath, en->key, k->alias_of);
                goto fail;
            }
            const lc_key *target = find_key(sec, k->alias_of);
            if (c->note) {
                char msg[768];
                if (k->flags & F_UPSTREAM_IGNORES)
                    snprintf(msg, sizeof msg,
                             "%s:%d:%d: %s: legacy key read as '%s' (Ludwig 0.10.3 silently ignores '%s' here; ludwig-c honours it)",
                             c->file, en->line, en->col, kpath, k->alias_of, en->key);
                else
                    snprintf(msg, sizeof msg, "%s:%d:%d: %s: legacy key read as '%s'", c->file,
                             en->line, en->col, kpath, k->alias_of);
                c->note(c->note_arg, msg);
            }
            if (target)
                k = target;
        }
        const cJSON *sub_dflt =
            defaults_obj ? cJSON_GetObjectItemCaseSensitive(defaults_obj, store) : NULL;
        cJSON *v = NULL;
        st = value_of(c, k, en->value, kpath, sub_dflt, fill_defaults, &v);
        if (st)
            goto fail;
        if ((k->flags & F_DEFAULT_ONLY) && k->dflt) {
            cJSON *d = cJSON_Parse(k->dflt);
            int same = d && cJSON_Compare(d, v, 1);
            cJSON_Delete(d);
            if (!same) {
                cJSON_Delete(v);
                st = lc_error_set(c->e, LC_ERR_CONFIG,
                                  "%s:%d:%d: %s: ludwig-c does not implement this setting yet (only the default %s is accepted)",
                                  c->file, en->line, en->col, kpath, k->dflt);
                goto fail;
            }
        }
        cJSON_AddItemToObject(obj, store, v);
    }
    if (fill_defaults) {
        for (const lc_key *k = sec->keys; k->name; k++) {
            if (k->alias_of || (k->flags & F_DROPPED) ||
                cJSON_GetObjectItemCaseSensitive(obj, k->name))
                continue;
            const cJSON *d =
                defaults_obj ? cJSON_GetObjectItemCaseSensitive(defaults_obj, k->name) : NULL;
            cJSON *v = NULL;
            if (d && cJSON_IsObject(d) && k->sub) {
                /* fill the nested section from the user defaults, then schema defaults */
                st = lc_schema_fill(c, k->sub, NULL, k->name, d, 1, &v);
                if (st)
                    goto fail;
            } else if (d) {
                v = cJSON_Duplicate(d, 1);
            } else if (k->sub && (k->types & T_MAP) && k->dflt && strcmp(k->dflt, "{}") == 0) {
                st = lc_schema_fill(c, k->sub, NULL, k->name, NULL, 1, &v);
                if (st)
                    goto fail;
            } else if (k->dflt) {
                v = cJSON_Parse(k->dflt);
            } else {
                continue;
            }
            if (!v) {
                st = lc_error_set(c->e, LC_ERR_INTERNAL, "bad schema default for %s.%s", path,
                                  k->name);
                goto fail;
            }
            cJSON_AddItemToObject(obj, k->name, v);
        }
    }
    *out = obj;
    return LC_OK;
fail:
    cJSON_Delete(obj);
    return st;
}

/* A YAML node as PyYAML's safe loader types it: plain null, booleans, integers and floats; every
 * other scalar a string. NULL when out of memory. */
cJSON *lc_schema_yaml_json(const lc_ynode *y)
{
    if (y->kind != LC_YSCALAR) {
        cJSON *o = y->kind == LC_YMAP ? cJSON_CreateObject() : cJSON_CreateArray();
        for (size_t i = 0; o && i < y->n; i++) {
            cJSON *v = lc_schema_yaml_json(y->kind == LC_YMAP ? y->entries[i].value : y->items[i]);
            if (!v) {
                cJSON_Delete(o);
                return NULL;
            }
            if (y->kind == LC_YMAP)
                cJSON_AddItemToObject(o, y->entries[i].key, v);
            else
                cJSON_AddItemToArray(o, v);
        }
        return o;
    }
    int b;
    if (!y->plain)
        return cJSON_CreateString(y->str);
    if (lc_yscalar_is_null(y))
        return cJSON_CreateNull();
    if (lc_schema_yaml_bool(y->str, &b))
        return cJSON_CreateBool(b);
    const char *s = y->str;
    char *end;
    long long iv;
    if (parse_long(s, &iv))
        return lc_json_int(iv);
    /* a float has a digit, a '.' and a signed exponent if any (YAML 1.1: 1e-05 is a string), or
     * is one of YAML's .inf/.nan spellings */
    const char *ex = strpbrk(s, "eE");
    if (strpbrk(s, "0123456789") && strchr(s, '.') && !strpbrk(s, "xX_:") &&
        (!ex || ex[1] == '-' || ex[1] == '+')) {
        double v = strtod(s, &end);
        if (!*end)
            return lc_json_float(v);
    }
    static const char *const special[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                                          "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"};
    for (size_t i = 0; i < sizeof special / sizeof *special; i++)
        if (strcmp(s, special[i]) == 0)
            return lc_json_float(i < 6 ? HUGE_VAL : i < 9 ? -HUGE_VAL : NAN);
    return cJSON_CreateString(s);
}
