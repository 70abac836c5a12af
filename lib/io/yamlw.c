/* yamlw.c - cJSON to YAML as PyYAML's safe_dump writes it (lc_yamlw.h). */
#include "lc_yamlw.h"

#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lc_json.h"

/* PyYAML's implicit resolvers (yaml/resolver.py, YAML 1.1): the patterns a plain scalar is
 * typed by; a string matching one must be quoted to stay a string */
static const char *const not_str_patterns[] = {
    /* bool */
    "^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
    /* float (a point is needed, and a sign in the exponent) */
    "^([-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+][0-9]+)?"
    "|\\.[0-9_]+([eE][-+][0-9]+)?"
    "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*"
    "|[-+]?\\.(inf|Inf|INF)"
    "|\\.(nan|NaN|NAN))$",
    /* int */
    "^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
    "|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$",
    /* merge */
    "^<<$",
    /* null */
    "^(~|null|Null|NULL)?$",
    /* timestamp */
    "^([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
    "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
    "([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](\\.[0-9]*)?"
    "(([ \t]*)Z|[-+][0-9][0-9]?(:[0-9][0-9])?)?)$",
    /* value */
    "^=$",
};

#define N_NOT_STR (sizeof not_str_patterns / sizeof *not_str_patterns)
static regex_t not_str_re[N_NOT_STR];
static int not_str_ok; /* every pattern compiled */
static pthread_once_t not_str_once = PTHREAD_ONCE_INIT;

static void not_str_compile(void)
{
    int ok = 1;
    for (size_t i = 0; i < N_NOT_STR; i++)
        ok &= regcomp(&not_str_re[i], not_str_patterns[i], REG_EXTENDED | REG_NOSUB) == 0;
    not_str_ok = ok;
}

int lc_yaml_plain_not_str(const char *s)
{
    pthread_once(&not_str_once, not_str_compile);
    if (!not_str_ok)
        return 1; /* cannot tell: quote */
    for (size_t i = 0; i < N_NOT_STR; i++)
        if (regexec(&not_str_re[i], s, 0, NULL, 0) == 0)
            return 1;
    return 0;
}

/* PyYAML's represent_float: repr(v).lower(), ".0" added before the exponent of a mantissa without
 * a point, .nan, .inf, -.inf */
static void float_text(double v, char *buf, size_t n)
{
    if (isnan(v)) {
        snprintf(buf, n, ".nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, n, v > 0 ? ".inf" : "-.inf");
        return;
    }
    char r[LC_JSON_REPR_MAX];
    lc_json_float_repr(v, r, sizeof r);
    for (char *p = r; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    char *ex = strchr(r, 'e');
    if (ex && !strchr(r, '.'))
        snprintf(buf, n, "%.*s.0%s", (int)(ex - r), r, ex);
    else
        snprintf(buf, n, "%s", r);
}

typedef struct wctx {
    yaml_emitter_t em;
    int failed;
} wctx;

static void emit(wctx *w, yaml_event_t *ev)
{
    if (!w->failed && !yaml_emitter_emit(&w->em, ev))
        w->failed = 1;
}

static void scalar(wctx *w, const char *text, int plain_ok)
{
    yaml_event_t ev;
    if (!yaml_scalar_event_initialize(&ev, NULL, (yaml_char_t *)(plain_ok ? NULL : YAML_STR_TAG),
                                      (yaml_char_t *)text, (int)strlen(text), plain_ok, 1,
                                      YAML_ANY_SCALAR_STYLE)) {
        w->failed = 1;
        return;
    }
    emit(w, &ev);
}

static void node(wctx *w, const cJSON *v)
{
    yaml_event_t ev;
    char buf[64];
    if (w->failed)
        return;
    if (cJSON_IsObject(v)) {
        yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        emit(w, &ev);
        for (const cJSON *c = v->child; c; c = c->next) {
            scalar(w, c->string, !lc_yaml_plain_not_str(c->string));
            node(w, c);
        }
        yaml_mapping_end_event_initialize(&ev);
        emit(w, &ev);
    } else if (cJSON_IsArray(v)) {
        /* PyYAML writes an empty list as [] (flow), others in block style */
        yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                             v->child ? YAML_BLOCK_SEQUENCE_STYLE : YAML_FLOW_SEQUENCE_STYLE);
        emit(w, &ev);
        for (const cJSON *c = v->child; c; c = c->next)
            node(w, c);
        yaml_sequence_end_event_initialize(&ev);
        emit(w, &ev);
    } else if (cJSON_IsString(v)) {
        scalar(w, v->valuestring, !lc_yaml_plain_not_str(v->valuestring));
    } else if (cJSON_IsBool(v)) {
        scalar(w, cJSON_IsTrue(v) ? "true" : "false", 1);
    } else if (cJSON_IsNumber(v)) {
        if (lc_json_is_float(v)) {
            float_text(v->valuedouble, buf, sizeof buf);
        } else {
            char *t = lc_json_print_py(v);
            if (!t) {
                w->failed = 1;
                return;
            }
            snprintf(buf, sizeof buf, "%s", t);
            free(t);
            if (strchr(buf, '.') || strchr(buf, 'e') || strchr(buf, 'N') || strchr(buf, 'I'))
                float_text(v->valuedouble, buf, sizeof buf);
        }
        scalar(w, buf, 1);
    } else {
        scalar(w, "null", 1);
    }
}

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    return fwrite(buffer, 1, size, (FILE *)data) == size;
}

lc_status lc_yaml_write(const cJSON *root, FILE *f, const char *name, lc_error *e)
{
    wctx w = {0};
    if (!yaml_emitter_initialize(&w.em))
        return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory writing YAML", name);
    yaml_emitter_set_output(&w.em, write_handler, f);
    /* safe_dump's allow_unicode is off: characters outside ASCII are written as \x/\u escapes in
     * a double-quoted scalar */
    yaml_emitter_set_unicode(&w.em, 0);
    yaml_emitter_set_width(&w.em, 80);
    yaml_emitter_set_indent(&w.em, 2);
    yaml_event_t ev;
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    emit(&w, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    emit(&w, &ev);
    node(&w, root);
    yaml_document_end_event_initialize(&ev, 1);
    emit(&w, &ev);
    yaml_stream_end_event_initialize(&ev);
    emit(&w, &ev);
    yaml_emitter_flush(&w.em);
    int failed = w.failed;
    yaml_emitter_delete(&w.em);
    return failed ? lc_error_set(e, LC_ERR_IO, "%s: cannot write the YAML", name) : LC_OK;
}
