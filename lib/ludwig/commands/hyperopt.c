/* hyperopt.c - `ludwig hyperopt`: the config's hyperopt section read as Ludwig 0.10.3 reads it
 * (ludwig/schema/hyperopt, ludwig/hyperopt/run.py and execution.py), its trials generated as Ray
 * Tune's BasicVariantGenerator generates them (ray/tune/search/basic_variant.py,
 * variant_generator.py, sample.py), each trial run as an experiment on the config with the
 * trial's parameters merged in (ludwig/hyperopt/utils.py substitute_parameters), and
 * hyperopt_statistics.json written best first.
 *
 * Trials: num_samples rounds (a points_to_evaluate entry takes the place of one); in a round every
 * combination of the grid_search parameters (sorted by name, the first varying fastest), and for
 * each the other parameters drawn in the order the config lists them, from numpy's
 * default_rng(random_state) (lc_npgen), random_state being the search_alg's or --random_seed. So a
 * seeded config gives Ludwig's trial parameters. Trial ids are Ray's <prefix>_<index>, the prefix
 * derived from the config and the seed (Ray's is time-based), each trial in
 * <output_directory>/<experiment_name>/trial_<id>/ with its run in <experiment_name>_<model_name>.
 *
 * Trials run concurrently, up to max_concurrent_trials and one per cpu_resources_per_trial cores
 * of --threads; each trial's results do not depend on how many run at once or on their threads
 * (the library is deterministic at any thread count). metric_score is the best epoch's value of
 * metric on split in the trial's training statistics (best = lowest for losses and errors, highest
 * otherwise, whatever the goal), eval_stats the trial's evaluation of split; goal orders the
 * trials.
 *
 * Left to others: the trials' training (lc_experiment_with_config), the report's drawing
 * (lc_report). Refused with a message: search algorithms other than variant_generator/random,
 * schedulers other than fifo, GPU resources.
 */
#include "ludwig_c.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lc_commands.h"
#include "lc_config.h"
#include "lc_config_upgrade.h"
#include "lc_dist.h"
#include "lc_fs.h"
#include "lc_json.h"
#include "lc_mem.h"
#include "lc_metrics.h"
#include "lc_npgen.h"
#include "lc_report.h"
#include "lc_schema.h"
#include "lc_train.h"
#include "lc_yaml.h"

/* ---- the search spaces (Ray Tune's functions, whose argument names Ludwig passes on) ---- */

typedef enum { V_FLOAT, V_INT, V_CAT } vkind;

typedef enum {
    SP_UNIFORM, SP_QUNIFORM, SP_LOGUNIFORM, SP_QLOGUNIFORM, SP_RANDN, SP_QRANDN,
    SP_RANDINT, SP_QRANDINT, SP_LOGRANDINT, SP_QLOGRANDINT, SP_CHOICE, SP_GRID
} space_id;

typedef struct space_def {
    const char *name;
    space_id id;
    vkind kind;
    const char *args[4]; /* numeric arguments in slot order; the list ones are categories/values */
    int nreq;            /* the first nreq are required */
    double dflt[4];
} space_def;

static const space_def spaces[] = {
    {"uniform", SP_UNIFORM, V_FLOAT, {"lower", "upper"}, 2, {0}},
    {"quniform", SP_QUNIFORM, V_FLOAT, {"lower", "upper", "q"}, 3, {0}},
    {"loguniform", SP_LOGUNIFORM, V_FLOAT, {"lower", "upper", "base"}, 2, {0, 0, 10}},
    {"qloguniform", SP_QLOGUNIFORM, V_FLOAT, {"lower", "upper", "q", "base"}, 3, {0, 0, 0, 10}},
    {"randn", SP_RANDN, V_FLOAT, {"mean", "sd"}, 0, {0, 1}},
    {"qrandn", SP_QRANDN, V_FLOAT, {"mean", "sd", "q"}, 3, {0}},
    {"randint", SP_RANDINT, V_INT, {"lower", "upper"}, 2, {0}},
    {"qrandint", SP_QRANDINT, V_INT, {"lower", "upper", "q"}, 2, {0, 0, 1}},
    {"lograndint", SP_LOGRANDINT, V_INT, {"lower", "upper", "base"}, 2, {0, 0, 10}},
    {"qlograndint", SP_QLOGRANDINT, V_INT, {"lower", "upper", "q", "base"}, 3, {0, 0, 0, 10}},
    {"choice", SP_CHOICE, V_CAT, {NULL}, 0, {0}},
    {"grid_search", SP_GRID, V_CAT, {NULL}, 0, {0}},
};
#define NSPACES ((int)(sizeof spaces / sizeof *spaces))

typedef struct hparam {
    const char *name;        /* as the upgraded config spells it (training. is now trainer.) */
    int line, col;           /* of its key */
    const space_def *sp;
    double a[4];             /* the numeric arguments, in the space's slot order */
    const lc_ynode *list;    /* choice categories / grid_search values */
} hparam;

typedef struct trial {
    char id[32];             /* Ray's trial id, <prefix>_<index> */
    lc_ynode **val;          /* (nparams) the value of each parameter (owned) */
    lc_config *cfg;          /* built before any trial runs (taken by the run) */
    /* results */
    int state;               /* 0 waiting, 1 running, 2 done, 3 failed, 4 stopped */
    lc_status st;
    lc_error err;
    double score;
    cJSON *train_stats, *eval_stats;
} trial;

typedef struct hopt {
    const lc_hyperopt_opts *o;
    lc_error *e;
    const char *file;
    lc_ynode *root;          /* the upgraded config, hyperopt section included */
    const lc_ynode *h;       /* its hyperopt section */
    hparam *p;
    int np;
    /* settings */
    const char *output_feature, *metric, *goal, *split, *eval_split;
    int maximize, metric_higher;
    long num_samples, time_budget_s, cpu_per_trial, max_concurrent_trials; /* 0: none / auto */
    int max_concurrent_null;
    const char *search_type;
    long long random_state;
    int random_state_set, constant_grid_search;
    long sa_max_concurrent;
    const lc_ynode *points;  /* points_to_evaluate (sequence) or NULL */
    cJSON *config_json;      /* hyperopt_config as hyperopt_statistics.json holds it */
    /* trials */
    trial *t;
    int nt;
    char *dir;               /* <od>/<experiment_name> */
    /* running */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int next, running, finished; /* finished: trials that ran to the end (state 2) */
    volatile int stop;
    int best;                /* index of the best finished trial, -1 */
    lc_status fatal;         /* a trial's error that stops the search */
    int fatal_trial;
    /* MPI ranks (o->trial.dist): trial k runs on rank k % nranks; rank 0 speaks and writes */
    int rank, nranks;
    FILE *log;               /* o->trial.progress on rank 0, else NULL */
} hopt;

static lc_status herr(hopt *H, const lc_ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A config error at node at (or at the hyperopt section): file:line:col: message. */
static lc_status herr(hopt *H, const lc_ynode *at, const char *fmt, ...)
{
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!at)
        at = H->h;
    return lc_error_set(H->e, LC_ERR_CONFIG, "%s:%d:%d: %s", H->file, at ? at->line : 1,
                        at ? at->col : 1, msg);
}

/* ---- YAML values as PyYAML's safe_load types them ---- */

static int plain_long(const lc_ynode *y, long long *out)
{
    if (!y || y->kind != LC_YSCALAR || !y->plain || !*y->str)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(y->str, &end, 10);
    if (*end || errno)
        return 0;
    *out = v;
    return 1;
}

static int plain_double(const lc_ynode *y, double *out)
{
    if (!y || y->kind != LC_YSCALAR || !y->plain || !*y->str)
        return 0;
    const char *s = y->str;
    if (strcmp(s, ".inf") == 0 || strcmp(s, ".Inf") == 0 || strcmp(s, "+.inf") == 0)
        return *out = INFINITY, 1;
    if (strcmp(s, "-.inf") == 0 || strcmp(s, "-.Inf") == 0)
        return *out = -INFINITY, 1;
    if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0)
        return *out = NAN, 1;
    if (strpbrk(s, "xXnN")) /* hex, inf, nan spellings are strings to YAML */
        return 0;
    char *end;
    double v = strtod(s, &end);
    if (*end)
        return 0;
    *out = v;
    return 1;
}


static lc_ynode *scalar_node(const char *text, int line, int col)
{
    lc_ynode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = LC_YSCALAR;
    n->plain = 1;
    n->line = line, n->col = col;
    if (!(n->str = lc_strdup(text))) {
        free(n);
        return NULL;
    }
    return n;
}

static lc_ynode *map_node(int line, int col)
{
    lc_ynode *n = calloc(1, sizeof *n);
    if (n)
        n->kind = LC_YMAP, n->line = line, n->col = col;
    return n;
}

/* Sets key of map m to v (taken), replacing a value there; 0 when out of memory (v freed). */
static int ymap_put(lc_ynode *m, const char *key, lc_ynode *v)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->entries[i].key, key) == 0) {
            lc_ynode_free(m->entries[i].value);
            m->entries[i].value = v;
            return 1;
        }
    lc_yentry *ne = realloc(m->entries, (m->n + 1) * sizeof *ne);
    char *k = lc_strdup(key);
    if (!ne || !k) {
        if (ne)
            m->entries = ne;
        free(k);
        lc_ynode_free(v);
        return 0;
    }
    m->entries = ne;
    m->entries[m->n] = (lc_yentry){.key = k, .line = v->line, .col = v->col, .value = v};
    m->n++;
    return 1;
}

/* Ludwig's merge_dict: each key of src (a map) into dst (a map): maps merge, anything else
 * replaces. 0 when out of memory. */
static int ymap_merge(lc_ynode *dst, const lc_ynode *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const lc_yentry *se = &src->entries[i];
        lc_ynode *dv = lc_ymap_get(dst, se->key);
        if (dv && dv->kind == LC_YMAP && se->value->kind == LC_YMAP) {
            if (!ymap_merge(dv, se->value))
                return 0;
            continue;
        }
        lc_ynode *c = lc_ynode_dup(se->value);
        if (!c || !ymap_put(dst, se->key, c))
            return 0;
    }
    return 1;
}

/* The map of the input (then output) feature named name, or NULL. */
static lc_ynode *feature_map(lc_ynode *root, const char *list, const char *name, size_t len)
{
    lc_ynode *fl = lc_ymap_get(root, list);
    for (size_t i = 0; fl && fl->kind == LC_YSEQ && i < fl->n; i++) {
        lc_ynode *f = fl->items[i];
        const lc_ynode *nm = f->kind == LC_YMAP ? lc_ymap_get(f, "name") : NULL;
        if (nm && nm->kind == LC_YSCALAR && strlen(nm->str) == len && strncmp(nm->str, name, len) == 0)
            return f;
    }
    return NULL;
}

/* Ludwig's substitute_parameters for one parameter: name is a dotted path into the config (its
 * first part may name an input or output feature), "." the whole config; value is merged there. */
static int substitute(lc_ynode *root, const char *name, const lc_ynode *value)
{
    if (strcmp(name, ".") == 0)
        return value->kind == LC_YMAP ? ymap_merge(root, value) : 1;
    lc_ynode *cur = root;
    const char *p = name, *dot = strchr(p, '.');
    size_t len = dot ? (size_t)(dot - p) : strlen(p);
    lc_ynode *f = feature_map(root, "input_features", p, len);
    if (!f)
        f = feature_map(root, "output_features", p, len);
    if (f) {
        if (!dot)
            return value->kind == LC_YMAP ? ymap_merge(f, value) : 1;
        cur = f;
        p = dot + 1;
    }
    char key[256];
    for (;;) {
        dot = strchr(p, '.');
        len = dot ? (size_t)(dot - p) : strlen(p);
        if (len >= sizeof key)
            len = sizeof key - 1;
        memcpy(key, p, len);
        key[len] = '\0';
        lc_ynode *nx = lc_ymap_get(cur, key);
        if (!dot) {
            if (nx && nx->kind == LC_YMAP && value->kind == LC_YMAP)
                return ymap_merge(nx, value);
            lc_ynode *c = lc_ynode_dup(value);
            return c && ymap_put(cur, key, c);
        }
        if (!nx || nx->kind != LC_YMAP) {
            lc_ynode *m = map_node(value->line, value->col);
            if (!m || !ymap_put(cur, key, m))
                return 0;
            nx = lc_ymap_get(cur, key);
        }
        cur = nx;
        p = dot + 1;
    }
}

/* ---- the hyperopt section ---- */

static const char *const SEARCH_ALGS_LUDWIG[] = {"ax", "bayesopt", "blendsearch", "bohb", "cfo",
                                                 "dragonfly", "hebo", "hyperopt", "nevergrad",
                                                 "optuna", "skopt", "zoopt", NULL};
static const char *const SCHEDULERS_LUDWIG[] = {"async_hyperband", "asynchyperband", "asha",
                                                "hyperband", "median_stopping_rule",
                                                "medianstoppingrule", "pbt", "pbt_replay", "pb2",
                                                "hb_bohb", "resource_changing", NULL};

static int in_list(const char *const *l, const char *s)
{
    for (; *l; l++)
        if (strcmp(*l, s) == 0)
            return 1;
    return 0;
}

static void join(const char *const *l, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; l[i] && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? ", " : "", l[i]);
}

/* Every key of map m (named path) must be in allowed. */
static lc_status known_keys(hopt *H, const lc_ynode *m, const char *path, const char *const *allowed)
{
    char list[512];
    for (size_t i = 0; i < m->n; i++)
        if (!in_list(allowed, m->entries[i].key)) {
            join(allowed, list, sizeof list);
            return lc_error_set(H->e, LC_ERR_CONFIG, "%s:%d:%d: %s.%s: not a key of %s (it takes %s)",
                                H->file, m->entries[i].line, m->entries[i].col, path,
                                m->entries[i].key, path, list);
        }
    return LC_OK;
}

static lc_status want_map(hopt *H, const lc_ynode *y, const char *path)
{
    if (y->kind != LC_YMAP)
        return herr(H, y, "%s must be a mapping", path);
    return LC_OK;
}

static lc_status want_str(hopt *H, const lc_ynode *y, const char *path, const char *const *choices,
                          const char **out)
{
    char list[256];
    if (y->kind != LC_YSCALAR || lc_yscalar_is_null(y))
        return herr(H, y, "%s must be a name", path);
    if (choices && !in_list(choices, y->str)) {
        join(choices, list, sizeof list);
        return herr(H, y, "%s: '%s' is not one of %s", path, y->str, list);
    }
    *out = y->str;
    return LC_OK;
}

/* An integer >= lo, or null (*out = nul_value) when nullable. */
static lc_status want_int(hopt *H, const lc_ynode *y, const char *path, long lo, int nullable,
                          long nul_value, long *out)
{
    long long v;
    if (nullable && lc_yscalar_is_null(y)) {
        *out = nul_value;
        return LC_OK;
    }
    if (!plain_long(y, &v) || v < lo || v > 1000000000L)
        return herr(H, y, "%s must be an integer of at least %ld%s (got %s)", path, lo,
                    nullable ? " or null" : "", y->kind == LC_YSCALAR ? y->str : "a structure");
    *out = (long)v;
    return LC_OK;
}

static lc_status parse_search_alg(hopt *H, const lc_ynode *sa, cJSON *out)
{
    static const char *const keys[] = {"type", "random_state", "constant_grid_search",
                                       "points_to_evaluate", "max_concurrent", NULL};
    static const char *const types[] = {"variant_generator", "random", NULL};
    lc_status st;
    H->search_type = "variant_generator";
    if (sa && !lc_yscalar_is_null(sa)) {
        if ((st = want_map(H, sa, "hyperopt.search_alg")))
            return st;
        const lc_ynode *t = lc_ymap_get(sa, "type");
        if (t && t->kind == LC_YSCALAR && in_list(SEARCH_ALGS_LUDWIG, t->str))
            return herr(H, t, "hyperopt.search_alg.type: '%s' (a Ray Tune search algorithm Ludwig can use) is not supported by ludwig-c; use variant_generator (Ludwig's default: grid_search parameters crossed with random draws of the others) or random", t->str);
        if (t && (st = want_str(H, t, "hyperopt.search_alg.type", types, &H->search_type)))
            return st;
        if ((st = known_keys(H, sa, "hyperopt.search_alg", keys)))
            return st;
        const lc_ynode *rs = lc_ymap_get(sa, "random_state");
        long long v;
        if (rs && !lc_yscalar_is_null(rs)) {
            if (!plain_long(rs, &v) || v < 0 || v > (long long)UINT32_MAX * 2)
                return herr(H, rs, "hyperopt.search_alg.random_state must be a non-negative integer or null (got %s)", rs->kind == LC_YSCALAR ? rs->str : "a structure");
            H->random_state = v;
            H->random_state_set = 1;
        }
        const lc_ynode *cg = lc_ymap_get(sa, "constant_grid_search");
        if (cg && (cg->kind != LC_YSCALAR || !lc_schema_yaml_bool(cg->str, &H->constant_grid_search)))
            return herr(H, cg, "hyperopt.search_alg.constant_grid_search must be true or false");
        const lc_ynode *mc = lc_ymap_get(sa, "max_concurrent");
        if (mc && (st = want_int(H, mc, "hyperopt.search_alg.max_concurrent", 0, 0, 0, &H->sa_max_concurrent)))
            return st;
        const lc_ynode *pe = lc_ymap_get(sa, "points_to_evaluate");
        if (pe && !lc_yscalar_is_null(pe)) {
            if (pe->kind != LC_YSEQ)
                return herr(H, pe, "hyperopt.search_alg.points_to_evaluate must be a list of mappings from parameter names to values");
            for (size_t i = 0; i < pe->n; i++)
                if (pe->items[i]->kind != LC_YMAP)
                    return herr(H, pe->items[i], "hyperopt.search_alg.points_to_evaluate[%zu] must be a mapping from parameter names to values", i);
            H->points = pe;
        }
    }
    cJSON_AddStringToObject(out, "type", H->search_type);
    cJSON_AddItemToObject(out, "points_to_evaluate", H->points ? lc_schema_yaml_json(H->points) : cJSON_CreateNull());
    cJSON_AddItemToObject(out, "max_concurrent", lc_json_int(H->sa_max_concurrent));
    cJSON_AddBoolToObject(out, "constant_grid_search", H->constant_grid_search);
    return LC_OK; /* random_state: parse_section adds the one used */
}

static lc_status parse_executor(hopt *H, const lc_ynode *ex, cJSON *out)
{
    static const char *const keys[] = {"type", "num_samples", "time_budget_s",
                                       "cpu_resources_per_trial", "gpu_resources_per_trial",
                                       "max_concurrent_trials", "trial_driver_resources",
                                       "kubernetes_namespace", "scheduler", NULL};
    static const char *const types[] = {"ray", NULL};
    lc_status st;
    const lc_ynode *y;
    const char *s;
    H->num_samples = 1;
    H->time_budget_s = 3600;
    H->cpu_per_trial = 1;
    int ns_null = 1;
    if (ex && !lc_yscalar_is_null(ex)) {
        if ((st = want_map(H, ex, "hyperopt.executor")) ||
            (st = known_keys(H, ex, "hyperopt.executor", keys)))
            return st;
        if ((y = lc_ymap_get(ex, "type")) && (st = want_str(H, y, "hyperopt.executor.type", types, &s)))
            return st;
        if ((y = lc_ymap_get(ex, "num_samples"))) {
            if ((st = want_int(H, y, "hyperopt.executor.num_samples", 1, 1, 1, &H->num_samples)))
                return st;
            ns_null = lc_yscalar_is_null(y);
        }
        if ((y = lc_ymap_get(ex, "time_budget_s")) &&
            (st = want_int(H, y, "hyperopt.executor.time_budget_s", 1, 1, 0, &H->time_budget_s)))
            return st;
        if ((y = lc_ymap_get(ex, "cpu_resources_per_trial")) &&
            (st = want_int(H, y, "hyperopt.executor.cpu_resources_per_trial", 1, 0, 1, &H->cpu_per_trial)))
            return st;
        long g = 0;
        if ((y = lc_ymap_get(ex, "gpu_resources_per_trial")) &&
            (st = want_int(H, y, "hyperopt.executor.gpu_resources_per_trial", 0, 0, 0, &g)))
            return st;
        if (g > 0)
            return herr(H, y, "hyperopt.executor.gpu_resources_per_trial: %ld GPU(s) asked for each trial, but ludwig-c trains on CPU cores; remove it or set 0 (cpu_resources_per_trial sets each trial's cores)", g);
        if ((y = lc_ymap_get(ex, "max_concurrent_trials")) && !lc_yscalar_is_null(y) &&
            !(y->kind == LC_YSCALAR && strcmp(y->str, "auto") == 0) &&
            (st = want_int(H, y, "hyperopt.executor.max_concurrent_trials", 1, 0, 0, &H->max_concurrent_trials)))
            return st;
        if ((y = lc_ymap_get(ex, "kubernetes_namespace")) && !lc_yscalar_is_null(y))
            return herr(H, y, "hyperopt.executor.kubernetes_namespace: ludwig-c runs the trials on this machine's cores; remove it");
        const lc_ynode *sc = lc_ymap_get(ex, "scheduler");
        if (sc && !lc_yscalar_is_null(sc)) {
            static const char *const skeys[] = {"type", "time_attr", "metric", "mode", NULL};
            static const char *const stypes[] = {"fifo", NULL};
            if ((st = want_map(H, sc, "hyperopt.executor.scheduler")))
                return st;
            const lc_ynode *t = lc_ymap_get(sc, "type");
            if (t && t->kind == LC_YSCALAR && in_list(SCHEDULERS_LUDWIG, t->str))
                return herr(H, t, "hyperopt.executor.scheduler.type: '%s' (a Ray Tune scheduler that stops or pauses trials early) is not supported by ludwig-c; use fifo (Ludwig's default: every trial runs to the end)", t->str);
            if (!t)
                return herr(H, sc, "hyperopt.executor.scheduler needs a type (fifo)");
            if ((st = want_str(H, t, "hyperopt.executor.scheduler.type", stypes, &s)) ||
                (st = known_keys(H, sc, "hyperopt.executor.scheduler", skeys)))
                return st;
        }
    }
    cJSON_AddStringToObject(out, "type", "ray");
    cJSON_AddItemToObject(out, "num_samples", ns_null ? cJSON_CreateNull() : lc_json_int(H->num_samples));
    cJSON_AddItemToObject(out, "time_budget_s", H->time_budget_s ? lc_json_int(H->time_budget_s) : cJSON_CreateNull());
    cJSON *tdr = cJSON_AddObjectToObject(out, "trial_driver_resources");
    cJSON_AddItemToObject(tdr, "CPU", lc_json_int(1));
    cJSON_AddItemToObject(tdr, "GPU", lc_json_int(0));
    cJSON_AddItemToObject(out, "cpu_resources_per_trial", lc_json_int(H->cpu_per_trial));
    cJSON_AddItemToObject(out, "gpu_resources_per_trial", lc_json_int(0));
    cJSON_AddNullToObject(out, "kubernetes_namespace");
    cJSON_AddItemToObject(out, "max_concurrent_trials", H->max_concurrent_trials ? lc_json_int(H->max_concurrent_trials) : cJSON_CreateNull());
    cJSON *sch = cJSON_AddObjectToObject(out, "scheduler");
    cJSON_AddStringToObject(sch, "type", "fifo");
    cJSON_AddStringToObject(sch, "time_attr", "training_iteration");
    cJSON_AddNullToObject(sch, "metric");
    cJSON_AddNullToObject(sch, "mode");
    return LC_OK;
}

static lc_status parse_param(hopt *H, const lc_yentry *en, hparam *p)
{
    char path[512];
    snprintf(path, sizeof path, "hyperopt.parameters.%s", en->key);
    const lc_ynode *m = en->value;
    p->name = en->key;
    p->line = en->line, p->col = en->col;
    if (m->kind != LC_YMAP)
        return herr(H, m, "%s must be a mapping with a space (uniform, loguniform, choice, grid_search, ...) and its arguments", path);
    const lc_ynode *sp = lc_ymap_get(m, "space");
    if (!sp || sp->kind != LC_YSCALAR) {
        /* Ludwig's parameter has no default space */
        return lc_error_set(H->e, LC_ERR_CONFIG, "%s:%d:%d: %s needs a space: one of uniform, quniform, loguniform, qloguniform, randn, qrandn, randint, qrandint, lograndint, qlograndint, choice, grid_search",
                            H->file, en->line, en->col, path);
    }
    for (int i = 0; i < NSPACES; i++)
        if (strcasecmp(sp->str, spaces[i].name) == 0)
            p->sp = &spaces[i];
    if (!p->sp)
        return herr(H, sp, "%s.space: '%s' is not a search space Ludwig knows (uniform, quniform, loguniform, qloguniform, randn, qrandn, randint, qrandint, lograndint, qlograndint, choice, grid_search)", path, sp->str);
    const space_def *d = p->sp;
    const char *keys[8] = {"space"};
    int nk = 1;
    if (d->kind == V_CAT)
        keys[nk++] = d->id == SP_CHOICE ? "categories" : "values";
    for (int k = 0; d->kind != V_CAT && k < 4 && d->args[k]; k++)
        keys[nk++] = d->args[k];
    keys[nk] = NULL;
    lc_status st = known_keys(H, m, path, keys);
    if (st)
        return st;
    if (d->kind == V_CAT) {
        const char *lk = keys[1];
        const lc_ynode *l = lc_ymap_get(m, lk);
        if (!l)
            return lc_error_set(H->e, LC_ERR_CONFIG, "%s:%d:%d: %s: space %s needs %s (a list)", H->file, en->line, en->col, path, d->name, lk);
        if (l->kind != LC_YSEQ || l->n == 0)
            return herr(H, l, "%s.%s must be a non-empty list", path, lk);
        p->list = l;
    } else {
        for (int k = 0; k < 4 && d->args[k]; k++) {
            const lc_ynode *v = lc_ymap_get(m, d->args[k]);
            if (!v) {
                if (k < d->nreq)
                    return lc_error_set(H->e, LC_ERR_CONFIG, "%s:%d:%d: %s: space %s needs %s", H->file, en->line, en->col, path, d->name, d->args[k]);
                p->a[k] = d->dflt[k];
                continue;
            }
            long long iv;
            int is_int = plain_long(v, &iv);
            if (!plain_double(v, &p->a[k]) || !isfinite(p->a[k]))
                return herr(H, v, "%s.%s must be a number (got %s)", path, d->args[k], v->kind == LC_YSCALAR ? v->str : "a structure");
            if (d->kind == V_INT && strcmp(d->args[k], "base") != 0 && !is_int)
                return herr(H, v, "%s.%s must be an integer for space %s (got %s)", path, d->args[k], d->name, v->str);
        }
    }
    /* Ray's own checks of the arguments */
    double lo = p->a[0], hi = p->a[1], q = p->a[2];
    int has_q = d->id == SP_QUNIFORM || d->id == SP_QLOGUNIFORM || d->id == SP_QRANDN ||
                d->id == SP_QRANDINT || d->id == SP_QLOGRANDINT;
    int is_log = d->id == SP_LOGUNIFORM || d->id == SP_QLOGUNIFORM || d->id == SP_LOGRANDINT ||
                 d->id == SP_QLOGRANDINT;
    if (d->id == SP_RANDN || d->id == SP_QRANDN) {
        if (!(p->a[1] > 0))
            return herr(H, m, "%s.sd must be greater than 0", path);
    } else if (d->kind != V_CAT) {
        if (d->kind == V_INT ? !(hi > lo) : !(hi >= lo))
            return herr(H, m, "%s: lower (%g) must be %s upper (%g)", path, lo, d->kind == V_INT ? "below" : "at most", hi);
        if (is_log && !(lo > 0))
            return herr(H, m, "%s: space %s needs a lower bound greater than 0 (got %g)", path, d->name, lo);
        if (is_log && !(p->a[has_q ? 3 : 2] > 0 && p->a[has_q ? 3 : 2] != 1))
            return herr(H, m, "%s.base must be a positive number other than 1", path);
    }
    if (has_q) {
        if (!(q > 0))
            return herr(H, m, "%s.q must be greater than 0", path);
        if (d->kind == V_FLOAT && d->id != SP_QRANDN) {
            /* Ray's Float.quantized: the bounds must be multiples of q */
            double rl = lo / q, ru = hi / q;
            if (fabs(rl - nearbyint(rl)) > 1e-9 * fmax(1, fabs(rl)) ||
                fabs(ru - nearbyint(ru)) > 1e-9 * fmax(1, fabs(ru)))
                return herr(H, m, "%s: lower %g and upper %g must be multiples of q %g (Ray Tune refuses them otherwise)", path, lo, hi, q);
        }
    }
    return LC_OK;
}

static lc_status parse_section(hopt *H)
{
    static const char *const keys[] = {"parameters", "goal", "metric", "split", "eval_split",
                                       "output_feature", "search_alg", "executor", NULL};
    static const char *const goals[] = {"minimize", "maximize", NULL};
    static const char *const splits[] = {"training", "train", "validation", "test", NULL};
    const lc_ynode *h = H->h;
    lc_status st;
    const lc_ynode *y;
    if ((st = want_map(H, h, "hyperopt")) || (st = known_keys(H, h, "hyperopt", keys)))
        return st;
    H->output_feature = "combined";
    H->metric = "loss";
    H->goal = "minimize";
    H->split = "validation";
    H->eval_split = "validation";
    if ((y = lc_ymap_get(h, "goal")) && (st = want_str(H, y, "hyperopt.goal", goals, &H->goal)))
        return st;
    if ((y = lc_ymap_get(h, "metric")) && (st = want_str(H, y, "hyperopt.metric", NULL, &H->metric)))
        return st;
    if ((y = lc_ymap_get(h, "split")) && (st = want_str(H, y, "hyperopt.split", splits, &H->split)))
        return st;
    if ((y = lc_ymap_get(h, "eval_split")) && (st = want_str(H, y, "hyperopt.eval_split", splits, &H->eval_split)))
        return st;
    if ((y = lc_ymap_get(h, "output_feature")) &&
        (st = want_str(H, y, "hyperopt.output_feature", NULL, &H->output_feature)))
        return st;
    if (strcmp(H->split, "train") == 0)
        H->split = "training";
    H->maximize = strcmp(H->goal, "maximize") == 0;
    if (strcmp(H->output_feature, "combined") == 0 && strcmp(H->metric, "loss") != 0)
        return herr(H, lc_ymap_get(h, "metric"), "hyperopt.metric: the only metric of output_feature combined is loss (got '%s'); name an output feature in hyperopt.output_feature to optimize its %s", H->metric, H->metric);
    H->metric_higher = lc_metric_higher_is_better(H->metric) == 1;

    cJSON *cfg = H->config_json = cJSON_CreateObject();
    if (!cfg)
        return lc_error_set(H->e, LC_ERR_NOMEM, "out of memory");
    if ((st = parse_search_alg(H, lc_ymap_get(h, "search_alg"), cJSON_AddObjectToObject(cfg, "search_alg"))) ||
        (st = parse_executor(H, lc_ymap_get(h, "executor"), cJSON_AddObjectToObject(cfg, "executor"))))
        return st;
    if (!H->random_state_set) /* Ludwig's set_random_state: --random_seed when the config has none */
        H->random_state = (long long)H->o->trial.random_seed;
    cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(cfg, "search_alg"), "random_state",
                          lc_json_int(H->random_state));
    cJSON_AddStringToObject(cfg, "output_feature", H->output_feature);
    cJSON_AddStringToObject(cfg, "goal", H->goal);
    cJSON_AddStringToObject(cfg, "metric", H->metric);
    cJSON_AddStringToObject(cfg, "split", H->split);
    cJSON_AddStringToObject(cfg, "eval_split", H->eval_split);

    const lc_ynode *ps = lc_ymap_get(h, "parameters");
    if (ps && !lc_yscalar_is_null(ps) && (st = want_map(H, ps, "hyperopt.parameters")))
        return st;
    if (!ps || lc_yscalar_is_null(ps) || ps->n == 0) {
        /* Ludwig's default is {}: every trial trains the config as it is */
        if (H->log)
            fprintf(H->log, "ludwig-c: note: %s: hyperopt.parameters is empty: each of the %ld trial(s) trains the config as it is\n", H->file, H->num_samples);
        cJSON_AddItemToObject(cfg, "parameters", cJSON_CreateObject());
        if (!(H->p = calloc(1, sizeof *H->p)))
            return lc_error_set(H->e, LC_ERR_NOMEM, "out of memory");
        return LC_OK;
    }
    cJSON_AddItemToObject(cfg, "parameters", lc_schema_yaml_json(ps));
    if (!(H->p = calloc(ps->n ? ps->n : 1, sizeof *H->p)))
        return lc_error_set(H->e, LC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < ps->n; i++, H->np++)
        if ((st = parse_param(H, &ps->entries[i], &H->p[i])))
            return st;
    return LC_OK;
}

/* ---- trials ---- */

static double qround(double v, double q)
{
    return nearbyint(v / q) * q; /* numpy's round: half to even */
}

/* Ray's LogUniform draw: base ** uniform(log(lo) / log(base), log(hi) / log(base)), the bounds
 * first moved inward to multiples of q when q != 1 (Ray's Quantized). */
static double log_draw(lc_npgen *g, double lo, double hi, double q, double base)
{
    if (q != 1)
        lo = ceil(lo / q) * q, hi = floor(hi / q) * q;
    return pow(base, lc_npgen_uniform(g, log(lo) / log(base), log(hi) / log(base)));
}

/* A float as PyYAML writes one (repr, with ".0" before an exponent that has no '.', and .inf /
 * .nan), so that YAML typing reads it back as the same float. */
static void yaml_float(double v, char *buf, size_t n)
{
    if (isnan(v) || isinf(v)) {
        snprintf(buf, n, "%s", isnan(v) ? ".nan" : v > 0 ? ".inf" : "-.inf");
        return;
    }
    char r[64];
    lc_json_float_repr(v, r, sizeof r);
    const char *e = strchr(r, 'e');
    if (e && !strchr(r, '.'))
        snprintf(buf, n, "%.*s.0%s", (int)(e - r), r, e);
    else
        snprintf(buf, n, "%s", r);
}

/* One draw of p, as Ray's sampler for its space draws it, into a scalar node (or a copy of the
 * chosen category) placed at the parameter's key. */
static lc_ynode *sample(const hparam *p, lc_npgen *g)
{
    const space_def *d = p->sp;
    const double *a = p->a;
    double v = 0;
    long long iv = 0;
    int has_q = 0;
    double q = 1;
    switch (d->id) {
    case SP_CHOICE: {
        const lc_ynode *c = p->list->items[lc_npgen_integers(g, 0, (int64_t)p->list->n)];
        return lc_ynode_dup(c);
    }
    case SP_GRID:
        return NULL;
    case SP_UNIFORM:
        v = lc_npgen_uniform(g, a[0], a[1]);
        break;
    case SP_QUNIFORM:
        q = a[2], has_q = q != 1;
        v = has_q ? qround(lc_npgen_uniform(g, ceil(a[0] / q) * q, floor(a[1] / q) * q), q)
                  : lc_npgen_uniform(g, a[0], a[1]);
        break;
    case SP_LOGUNIFORM:
    case SP_QLOGUNIFORM:
        q = d->id == SP_QLOGUNIFORM ? a[2] : 1;
        v = log_draw(g, a[0], a[1], q, a[d->id == SP_QLOGUNIFORM ? 3 : 2]);
        if (q != 1)
            v = qround(v, q);
        break;
    case SP_RANDN:
        v = lc_npgen_normal(g, a[0], a[1]);
        break;
    case SP_QRANDN:
        v = qround(lc_npgen_normal(g, a[0], a[1]), a[2]);
        break;
    case SP_RANDINT:
        iv = lc_npgen_integers(g, (int64_t)a[0], (int64_t)a[1]);
        break;
    case SP_QRANDINT:
        q = a[2], has_q = q != 1;
        if (has_q)
            iv = (long long)qround((double)lc_npgen_integers(g, (int64_t)(ceil(a[0] / q) * q),
                                                             (int64_t)(floor(a[1] / q) * q)), q);
        else
            iv = lc_npgen_integers(g, (int64_t)a[0], (int64_t)a[1]);
        break;
    case SP_LOGRANDINT:
    case SP_QLOGRANDINT: {
        q = d->id == SP_QLOGRANDINT ? a[2] : 1;
        double f = floor(log_draw(g, a[0], a[1], q, a[d->id == SP_QLOGRANDINT ? 3 : 2]));
        iv = (long long)(q != 1 ? qround(f, q) : f);
        break;
    }
    }
    char buf[64];
    if (d->kind == V_INT)
        snprintf(buf, sizeof buf, "%lld", iv);
    else
        yaml_float(v, buf, sizeof buf);
    return scalar_node(buf, p->line, p->col);
}

static int param_index(const hopt *H, const char *name)
{
    for (int i = 0; i < H->np; i++)
        if (strcmp(H->p[i].name, name) == 0)
            return i;
    return -1;
}

static int by_name(const void *a, const void *b, void *arg)
{
    const hopt *H = arg;
    return strcmp(H->p[*(const int *)a].name, H->p[*(const int *)b].name);
}

/* Appends a trial holding vals (taken); 0 when out of memory. */
static int add_trial(hopt *H, lc_ynode **vals, const char *prefix)
{
    trial *nt = realloc(H->t, (size_t)(H->nt + 1) * sizeof *nt);
    if (!nt)
        return 0;
    H->t = nt;
    trial *t = &H->t[H->nt];
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s_%05d", prefix, H->nt);
    t->val = vals;
    H->nt++;
    return 1;
}

static void free_vals(lc_ynode **v, int n)
{
    for (int i = 0; v && i < n; i++)
        lc_ynode_free(v[i]);
    free(v);
}

/* Ray's BasicVariantGenerator: for each round (a points_to_evaluate entry, then the remaining
 * samples), every combination of the grid_search parameters not preset, each with fresh draws of
 * the other parameters not preset (drawn once per round with constant_grid_search). */
static lc_status gen_trials(hopt *H, const char *prefix)
{
    lc_npgen g;
    lc_npgen_seed(&g, (uint64_t)H->random_state);
    int np = H->np;
    int *grid = malloc((size_t)(np ? np : 1) * sizeof *grid);
    int *gi = calloc((size_t)(np ? np : 1), sizeof *gi);
    lc_ynode **round = calloc((size_t)(np ? np : 1), sizeof *round);
    lc_status st = LC_OK;
    if (!grid || !gi || !round) {
        st = lc_error_set(H->e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    long npoints = H->points ? (long)H->points->n : 0;
    long rounds = npoints + (H->num_samples > npoints ? H->num_samples - npoints : 0);
    for (long r = 0; r < rounds && !st; r++) {
        const lc_ynode *preset = r < npoints ? H->points->items[r] : NULL;
        for (int i = 0; i < np; i++) {
            lc_ynode_free(round[i]);
            round[i] = NULL;
        }
        for (size_t k = 0; preset && k < preset->n; k++) {
            int i = param_index(H, preset->entries[k].key);
            if (i < 0) {
                st = lc_error_set(H->e, LC_ERR_CONFIG, "%s:%d:%d: hyperopt.search_alg.points_to_evaluate[%ld]: '%s' is not a parameter in hyperopt.parameters", H->file, preset->entries[k].line, preset->entries[k].col, r, preset->entries[k].key);
                goto done;
            }
            if (!(round[i] = lc_ynode_dup(preset->entries[k].value)))
                goto oom;
        }
        int ng = 0;
        for (int i = 0; i < np; i++)
            if (H->p[i].sp->id == SP_GRID && !round[i])
                grid[ng++] = i;
        qsort_r(grid, (size_t)ng, sizeof *grid, by_name, H);
        /* constant_grid_search: the random parameters drawn once for the round */
        if (H->constant_grid_search)
            for (int i = 0; i < np; i++)
                if (H->p[i].sp->id != SP_GRID && !round[i] && !(round[i] = sample(&H->p[i], &g)))
                    goto oom;
        memset(gi, 0, (size_t)(np ? np : 1) * sizeof *gi);
        for (;;) {
            lc_ynode **vals = calloc((size_t)(np ? np : 1), sizeof *vals);
            if (!vals)
                goto oom;
            for (int k = 0; k < ng; k++) {
                const hparam *p = &H->p[grid[k]];
                vals[grid[k]] = lc_ynode_dup(p->list->items[gi[k]]);
                if (!vals[grid[k]]) {
                    free_vals(vals, np);
                    goto oom;
                }
            }
            for (int i = 0; i < np; i++) {
                if (vals[i])
                    continue;
                vals[i] = round[i] ? lc_ynode_dup(round[i]) : sample(&H->p[i], &g);
                if (!vals[i]) {
                    free_vals(vals, np);
                    goto oom;
                }
            }
            if (!add_trial(H, vals, prefix)) {
                free_vals(vals, np);
                goto oom;
            }
            int k = 0;
            while (k < ng && ++gi[k] == (int)H->p[grid[k]].list->n)
                gi[k++] = 0;
            if (k == ng)
                break;
        }
    }
    goto done;
oom:
    st = lc_error_set(H->e, LC_ERR_NOMEM, "out of memory generating the trials");
done:
    for (int i = 0; round && i < np; i++)
        lc_ynode_free(round[i]);
    free(round);
    free(grid);
    free(gi);
    return st;
}

/* A parameters object on one line, as Python's json.dumps writes it. */
static char *one_line(const cJSON *j)
{
    char *s = j ? lc_json_print_py(j) : NULL;
    if (!s)
        return NULL;
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r == '\n') {
            while (r[1] == ' ')
                r++;
            if (w > s && w[-1] == ',')
                *w++ = ' ';
            continue;
        }
        *w++ = *r;
    }
    *w = '\0';
    return s;
}

/* The trial's parameters as hyperopt_statistics.json lists them. */
static cJSON *trial_params(const hopt *H, const trial *t)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; o && i < H->np; i++) {
        cJSON *v = lc_schema_yaml_json(t->val[i]);
        if (!v) {
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddItemToObject(o, H->p[i].name, v);
    }
    return o;
}

static void note_to_file(void *arg, const char *msg)
{
    if (arg)
        fprintf((FILE *)arg, "ludwig-c: note: %s\n", msg);
}

/* Each trial's config, built before any trial runs so that a parameter value the config refuses
 * stops the search at once, naming the trial and the parameters. */
static lc_status build_configs(hopt *H)
{
    for (int k = 0; k < H->nt; k++) {
        trial *t = &H->t[k];
        lc_ynode *root = lc_ynode_dup(H->root);
        if (!root)
            return lc_error_set(H->e, LC_ERR_NOMEM, "out of memory");
        int ok = 1;
        for (int i = 0; ok && i < H->np; i++)
            ok = substitute(root, H->p[i].name, t->val[i]);
        lc_status st = ok ? lc_config_from_tree(root, H->file, NULL, NULL, &t->cfg, H->e)
                          : lc_error_set(H->e, LC_ERR_NOMEM, "out of memory");
        lc_ynode_free(root);
        if (st) {
            cJSON *pj = trial_params(H, t);
            char *ps = one_line(pj);
            lc_error_prefix(H->e, "hyperopt trial %s with parameters %s: ", t->id, ps ? ps : "?");
            free(ps);
            cJSON_Delete(pj);
            return st;
        }
    }
    return LC_OK;
}

/* ---- running the trials ---- */

/* A trial's progress lines, each prefixed with the trial's id, onto the shared progress stream. */
typedef struct pfx {
    FILE *out;
    pthread_mutex_t *mu;
    char prefix[48];
    char line[2048];
    size_t n;
} pfx;

static void pfx_flush(pfx *p)
{
    if (!p->n)
        return;
    pthread_mutex_lock(p->mu);
    fprintf(p->out, "%s%.*s", p->prefix, (int)p->n, p->line);
    if (p->line[p->n - 1] != '\n')
        fputc('\n', p->out);
    fflush(p->out);
    pthread_mutex_unlock(p->mu);
    p->n = 0;
}

static ssize_t pfx_write(void *c, const char *buf, size_t n)
{
    pfx *p = c;
    for (size_t i = 0; i < n; i++) {
        p->line[p->n++] = buf[i];
        if (buf[i] == '\n' || p->n == sizeof p->line)
            pfx_flush(p);
    }
    return (ssize_t)n;
}

static int pfx_close(void *c)
{
    pfx_flush(c);
    free(c);
    return 0;
}

static FILE *pfx_open(FILE *out, pthread_mutex_t *mu, const char *id)
{
    if (!out)
        return NULL;
    pfx *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->out = out, p->mu = mu;
    snprintf(p->prefix, sizeof p->prefix, "[trial_%s] ", id);
    cookie_io_functions_t io = {.write = pfx_write, .close = pfx_close};
    FILE *f = fopencookie(p, "w", io);
    if (!f) {
        free(p);
        return NULL;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    return f;
}

typedef struct hrun {
    hopt *H;
    const char *en, *mn;
    int threads_per_trial;
    int live_workers;
    int budget_hit;
    double t0;
} hrun;

/* The best value of the metric over the epochs of the split's statistics (Ludwig's
 * get_metric_score_from_train_stats); 0 when it is not there. */
static int metric_score(const hopt *H, const cJSON *ts, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(ts, H->split);
    v = cJSON_GetObjectItemCaseSensitive(v, H->output_feature);
    v = cJSON_GetObjectItemCaseSensitive(v, H->metric);
    int n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : 0, any = 0;
    double best = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *x = cJSON_GetArrayItem(v, i);
        if (!cJSON_IsNumber(x))
            continue;
        double d = x->valuedouble;
        if (!any || (H->metric_higher ? d > best : d < best))
            best = d;
        any = 1;
    }
    *out = best;
    return any;
}

static void list_keys(const cJSON *o, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (const cJSON *c = o ? o->child : NULL; c && k < n; c = c->next)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? ", " : "", c->string);
}

static lc_status write_json(const cJSON *j, const char *dir, const char *name, lc_error *e)
{
    char path[4096 + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return j ? lc_json_write_file(j, path, e) : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
}

static void run_trial(hrun *R, trial *t)
{
    hopt *H = R->H;
    const lc_experiment_opts *base = &H->o->trial;
    char tdir[4096];
    snprintf(tdir, sizeof tdir, "%s/trial_%s", H->dir, t->id);
    lc_error *e = &t->err;
    lc_config *cfg = t->cfg;
    t->cfg = NULL;
    t->st = lc_mkdir_p(tdir, e);
    cJSON *pj = trial_params(H, t), *cj = lc_schema_yaml_json(H->root);
    if (!t->st)
        t->st = write_json(pj, tdir, "params.json", e);
    if (!t->st) /* as Ludwig: the config before the trial's parameters are merged in */
        t->st = write_json(cj, tdir, "trial_hyperparameters.json", e);
    cJSON_Delete(pj);
    cJSON_Delete(cj);
    if (t->st) {
        lc_config_free(cfg);
        return;
    }
    lc_experiment_opts o = *base;
    o.output_directory = tdir;
    o.experiment_name = R->en;
    o.model_name = R->mn;
    o.eval_split = H->split;
    o.threads = R->threads_per_trial;
    o.k_fold = 0;
    o.model_resume_path = NULL;
    o.dist = NULL; /* a trial is one process: the ranks share the trials */
    o.stop_flag = &H->stop;
    o.progress = pfx_open(base->progress, &H->mu, t->id);
    if (base->progress) {
        pthread_mutex_lock(&H->mu);
        fprintf(base->progress, "ludwig-c: hyperopt: trial %s started\n", t->id);
        pthread_mutex_unlock(&H->mu);
    }
    t->st = lc_experiment_with_config(&o, cfg, NULL, &t->train_stats, &t->eval_stats, e);
    if (o.progress)
        fclose(o.progress);
    if (t->st)
        return;
    if (!metric_score(H, t->train_stats, &t->score)) {
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(t->train_stats, H->split);
        const cJSON *of = cJSON_GetObjectItemCaseSensitive(sp, H->output_feature);
        char keys[512];
        if (!sp || !sp->child) {
            t->st = lc_error_set(e, LC_ERR_CONFIG, "%s: hyperopt.split: the trials have no %s statistics (the %s split is empty): give the dataset %s rows (preprocessing.split) or set hyperopt.split to a split that has rows",
                                 H->file, H->split, H->split, H->split);
        } else if (!of) {
            list_keys(sp, keys, sizeof keys);
            t->st = lc_error_set(e, LC_ERR_CONFIG, "%s: hyperopt.output_feature: '%s' is not an output feature of the config (the statistics have: %s)",
                                 H->file, H->output_feature, keys);
        } else {
            list_keys(of, keys, sizeof keys);
            t->st = lc_error_set(e, LC_ERR_CONFIG, "%s: hyperopt.metric: '%s' is not a metric of output feature '%s' (it has: %s)",
                                 H->file, H->metric, H->output_feature, keys);
        }
    }
}

static void print_best(hopt *H, int k)
{
    FILE *f = H->o->results;
    if (!f)
        return;
    cJSON *pj = trial_params(H, &H->t[k]);
    char *ps = one_line(pj);
    char sc[64];
    lc_json_float_repr(H->t[k].score, sc, sizeof sc);
    fprintf(f, "Current best trial: %s with metric_score=%s and parameters=%s\n", H->t[k].id, sc,
            ps ? ps : "{}");
    fflush(f);
    free(ps);
    cJSON_Delete(pj);
}

static int better(const hopt *H, double a, double b)
{
    return H->maximize ? a > b : a < b;
}

static void *worker(void *arg)
{
    hrun *R = arg;
    hopt *H = R->H;
    for (;;) {
        pthread_mutex_lock(&H->mu);
        while (H->next < H->nt && H->next % H->nranks != H->rank)
            H->next++;
        if (H->stop || H->next >= H->nt) {
            R->live_workers--;
            pthread_cond_broadcast(&H->cv);
            pthread_mutex_unlock(&H->mu);
            return NULL;
        }
        int k = H->next++;
        H->t[k].state = 1;
        pthread_mutex_unlock(&H->mu);
        trial *t = &H->t[k];
        run_trial(R, t);
        pthread_mutex_lock(&H->mu);
        if (!t->st) {
            t->state = 2;
            H->finished++;
            if (H->best < 0 || better(H, t->score, H->t[H->best].score))
                H->best = k;
            if (H->nranks == 1) /* a rank sees only its own trials: the best once all are in */
                print_best(H, H->best);
        } else if (t->st == LC_ERR_INTERRUPTED && H->stop) {
            t->state = 4;
        } else if (t->st == LC_ERR_DIVERGED) {
            t->state = 3;
            if (H->o->trial.progress)
                fprintf(H->o->trial.progress, "ludwig-c: warning: hyperopt trial %s failed: %s\n", t->id, t->err.msg);
        } else {
            t->state = 3;
            if (!H->fatal) {
                H->fatal = t->st;
                H->fatal_trial = k;
                H->stop = 1;
            }
        }
        pthread_cond_broadcast(&H->cv);
        pthread_mutex_unlock(&H->mu);
    }
}

static lc_status run_all(hopt *H, hrun *R, int conc)
{
    const lc_experiment_opts *base = &H->o->trial;
    pthread_t *th = calloc((size_t)conc, sizeof *th);
    if (!th)
        return lc_error_set(H->e, LC_ERR_NOMEM, "out of memory");
    int started = 0;
    pthread_mutex_lock(&H->mu);
    for (int i = 0; i < conc; i++) {
        R->live_workers++;
        if (pthread_create(&th[i], NULL, worker, R) != 0) {
            R->live_workers--;
            break;
        }
        started++;
    }
    while (R->live_workers > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200000000L;
        if (ts.tv_nsec >= 1000000000L)
            ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&H->cv, &H->mu, &ts);
        if (base->stop_flag && *base->stop_flag)
            H->stop = 1;
        if (H->time_budget_s && !H->stop && lc_now_s() - R->t0 > (double)H->time_budget_s) {
            H->stop = 1;
            R->budget_hit = 1;
        }
    }
    pthread_mutex_unlock(&H->mu);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    if (!started)
        return lc_error_set(H->e, LC_ERR_NOMEM, "cannot start the hyperopt trial threads");
    if (base->stop_flag && *base->stop_flag)
        return lc_error_set(H->e, LC_ERR_INTERRUPTED, "hyperopt interrupted: %d of %d trials had finished; nothing was published", H->finished, H->nt);
    return LC_OK;
}

/* The error of the trial that stopped the search (H->fatal_trial). */
static lc_status fatal_error(hopt *H)
{
    const trial *t = &H->t[H->fatal_trial];
    cJSON *pj = trial_params(H, t);
    char *ps = one_line(pj);
    lc_error_set(H->e, H->fatal, "hyperopt trial %s with parameters %s: %s", t->id, ps ? ps : "?", t->err.msg);
    if (t->err.hint[0])
        lc_error_hint(H->e, "%s", t->err.hint);
    free(ps);
    cJSON_Delete(pj);
    return H->fatal;
}

/* Several ranks: each sends the outcomes of its trials (state, status, score, error, statistics)
 * to every other, so that all hold every trial's; the failure that stops the search is then the
 * failed trial of lowest index, the same on every rank. */
static lc_status share_trials(hopt *H, const lc_dist *d)
{
    const int R = H->nranks, me = H->rank;
    lc_error *e = H->e;
    cJSON *mine = cJSON_CreateArray();
    for (int k = me; mine && k < H->nt; k += R) {
        trial *t = &H->t[k];
        cJSON *o = cJSON_CreateObject();
        char sc[64];
        snprintf(sc, sizeof sc, "%a", t->score);
        cJSON_AddItemToArray(mine, o);
        cJSON_AddItemToObject(o, "k", lc_json_int(k));
        cJSON_AddItemToObject(o, "state", lc_json_int(t->state));
        cJSON_AddItemToObject(o, "st", lc_json_int(t->st));
        cJSON_AddStringToObject(o, "score", sc);
        cJSON_AddStringToObject(o, "msg", t->err.msg);
        cJSON_AddStringToObject(o, "hint", t->err.hint);
        if (t->train_stats)
            cJSON_AddItemToObject(o, "train", t->train_stats), t->train_stats = NULL;
        if (t->eval_stats)
            cJSON_AddItemToObject(o, "eval", t->eval_stats), t->eval_stats = NULL;
    }
    char *txt = mine ? lc_json_print_py(mine) : NULL;
    cJSON_Delete(mine);
    uint64_t len = txt ? (uint64_t)strlen(txt) + 1 : 0, *lens = calloc((size_t)R, sizeof *lens);
    size_t *bytes = calloc((size_t)R, sizeof *bytes);
    char *all = NULL;
    lc_status st = LC_OK;
    if (!txt || !lens || !bytes) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory sharing the trials");
        goto done;
    }
    if ((st = lc_dist_allgather(d, &len, lens, sizeof len, e)))
        goto done;
    size_t total = 0;
    for (int q = 0; q < R; q++)
        total += bytes[q] = (size_t)lens[q];
    if (!(all = malloc(total + 1))) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory sharing the trials");
        goto done;
    }
    if ((st = lc_dist_allgatherv(d, txt, all, bytes, e)))
        goto done;
    size_t at = 0;
    for (int q = 0; q < R && !st; at += bytes[q], q++) {
        cJSON *arr = lc_json_parse(all + at, bytes[q] - 1, "the trials of another rank", e);
        if (!arr) {
            st = LC_ERR_INTERNAL;
            break;
        }
        for (cJSON *o = arr->child; o; o = o->next) {
            const cJSON *kj = cJSON_GetObjectItemCaseSensitive(o, "k");
            int k = cJSON_IsNumber(kj) ? (int)kj->valuedouble : -1;
            if (k < 0 || k >= H->nt || k % R != q) {
                st = lc_error_set(e, LC_ERR_INTERNAL, "rank %d sent trial %d", q, k);
                break;
            }
            trial *t = &H->t[k];
            t->state = (int)cJSON_GetObjectItemCaseSensitive(o, "state")->valuedouble;
            t->st = (lc_status)cJSON_GetObjectItemCaseSensitive(o, "st")->valuedouble;
            t->score = strtod(cJSON_GetObjectItemCaseSensitive(o, "score")->valuestring, NULL);
            snprintf(t->err.msg, sizeof t->err.msg, "%s", cJSON_GetObjectItemCaseSensitive(o, "msg")->valuestring);
            snprintf(t->err.hint, sizeof t->err.hint, "%s", cJSON_GetObjectItemCaseSensitive(o, "hint")->valuestring);
            cJSON_Delete(t->train_stats);
            cJSON_Delete(t->eval_stats);
            t->train_stats = cJSON_DetachItemFromObjectCaseSensitive(o, "train");
            t->eval_stats = cJSON_DetachItemFromObjectCaseSensitive(o, "eval");
        }
        cJSON_Delete(arr);
    }
    H->fatal = LC_OK;
    H->finished = 0;
    for (int k = 0; k < H->nt; k++) {
        const trial *t = &H->t[k];
        H->finished += t->state == 2;
        if (!H->fatal && t->state == 3 && t->st != LC_ERR_DIVERGED)
            H->fatal = t->st, H->fatal_trial = k;
    }
done:
    free(txt);
    free(lens);
    free(bytes);
    free(all);
    return st;
}

/* ---- the command ---- */

void lc_hyperopt_opts_init(lc_hyperopt_opts *o)
{
    memset(o, 0, sizeof *o);
    lc_experiment_opts_init(&o->trial);
}

static int by_score(const void *a, const void *b, void *arg)
{
    const hopt *H = arg;
    const trial *x = &H->t[*(const int *)a], *y = &H->t[*(const int *)b];
    if (better(H, x->score, y->score))
        return -1;
    if (better(H, y->score, x->score))
        return 1;
    return *(const int *)a - *(const int *)b; /* ties keep the trials' order */
}

/* hyperopt_statistics.json's tree: the config and the finished trials best first. */
static cJSON *statistics(hopt *H, int **order_out, int *n_out)
{
    int *ord = malloc((size_t)(H->nt ? H->nt : 1) * sizeof *ord), n = 0;
    cJSON *root = cJSON_CreateObject();
    if (!ord || !root) {
        free(ord);
        cJSON_Delete(root);
        return NULL;
    }
    for (int k = 0; k < H->nt; k++)
        if (H->t[k].state == 2)
            ord[n++] = k;
    qsort_r(ord, (size_t)n, sizeof *ord, by_score, H);
    cJSON_AddItemToObject(root, "hyperopt_config", cJSON_Duplicate(H->config_json, 1));
    cJSON *res = cJSON_AddArrayToObject(root, "hyperopt_results");
    for (int i = 0; res && i < n; i++) {
        trial *t = &H->t[ord[i]];
        cJSON *r = cJSON_CreateObject();
        if (!r)
            break;
        cJSON_AddItemToObject(r, "parameters", trial_params(H, t));
        cJSON_AddItemToObject(r, "metric_score", lc_json_float(t->score));
        cJSON_AddItemToObject(r, "training_stats", t->train_stats);
        cJSON_AddItemToObject(r, "eval_stats", t->eval_stats ? t->eval_stats : cJSON_CreateObject());
        t->train_stats = t->eval_stats = NULL;
        cJSON_AddItemToArray(res, r);
    }
    *order_out = ord;
    *n_out = n;
    return root;
}

/* The id prefix of the trials: five hex digits of a hash of the config and the seed (Ray draws
 * its from the clock; this one names the same trials the same way on every run). */
static void id_prefix(const hopt *H, char out[8])
{
    cJSON *j = lc_schema_yaml_json(H->root);
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)H->random_state;
    for (const char *c = s ? s : ""; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ULL;
    snprintf(out, 8, "%05llx", (unsigned long long)(h >> 44));
    free(s);
    cJSON_Delete(j);
}

static lc_status write_hyperopt_report(hopt *H, hrun *R, const cJSON *stats, const int *order,
                                       int n, const char *od, lc_error *e)
{
    cJSON *summary = cJSON_CreateObject();
    if (!summary)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    cJSON_AddItemToObject(summary, "trials run", lc_json_int(n));
    cJSON_AddItemToObject(summary, "trials planned", lc_json_int(H->nt));
    if (n)
        cJSON_AddStringToObject(summary, "best trial", H->t[order[0]].id);
    cJSON_AddStringToObject(summary, "search algorithm", H->search_type);
    cJSON_AddItemToObject(summary, "random state", lc_json_int(H->random_state));
    cJSON_AddStringToObject(summary, "output feature", H->output_feature);
    cJSON_AddStringToObject(summary, "metric", H->metric);
    cJSON_AddStringToObject(summary, "goal", H->goal);
    cJSON_AddStringToObject(summary, "split", H->split);
    cJSON_AddItemToObject(summary, "threads per trial", lc_json_int(R->threads_per_trial));
    cJSON_AddItemToObject(summary, "wall time (s)", lc_json_float(round((lc_now_s() - R->t0) * 10) / 10));
    cJSON_AddStringToObject(summary, "ludwig-c version", lc_version());
    const char **ids = calloc((size_t)(n ? n : 1), sizeof *ids);
    lc_status st = LC_OK;
    if (!ids) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    } else {
        for (int i = 0; i < n; i++)
            ids[i] = H->t[order[i]].id;
        lc_report_info ri = {.title = "Ludwig Hyperopt", .summary = summary, .hyperopt = stats,
                             .hyperopt_trial_ids = ids, .hyperopt_nparams = H->np};
        const char **names = calloc((size_t)(H->np ? H->np : 1), sizeof *names);
        if (!names) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        } else {
            for (int i = 0; i < H->np; i++)
                names[i] = H->p[i].name;
            ri.hyperopt_params = names;
            char path[4096], vdir[4096];
            snprintf(vdir, sizeof vdir, "%s/visualizations", od);
            ri.hyperopt_svg_dir = vdir;
            st = lc_mkdir_p(vdir, e); /* there even when no parameter is drawn (none searched) */
            snprintf(path, sizeof path, "%s/ludwig_hyperopt_report.html", od);
            if (!st)
                st = lc_report_write(path, &ri, e);
            free(names);
        }
    }
    free(ids);
    cJSON_Delete(summary);
    return st;
}

lc_status lc_hyperopt(const lc_hyperopt_opts *o, char **best_run_dir, lc_error *e)
{
    hopt HH = {.o = o, .e = e, .best = -1};
    hopt *H = &HH;
    hrun R = {.H = H, .t0 = lc_now_s()};
    const lc_experiment_opts *b = &o->trial;
    lc_status st = LC_OK;
    cJSON *stats = NULL;
    int *order = NULL, nres = 0, made_dir = 0, dir_cleanup = -1;
    if (best_run_dir)
        *best_run_dir = NULL;
    pthread_mutex_init(&H->mu, NULL);
    pthread_cond_init(&H->cv, NULL);
    H->file = b->config_path;
    H->nranks = lc_dist_size(b->dist);
    H->rank = lc_dist_rank(b->dist);
    H->log = H->rank == 0 ? b->progress : NULL;
    if (!H->file) {
        st = lc_error_set(e, LC_ERR_USAGE, "hyperopt needs --config");
        goto out;
    }
    if (b->k_fold || b->eval_split || b->model_resume_path) {
        st = lc_error_set(e, LC_ERR_USAGE, "hyperopt evaluates each trial on hyperopt.split: --k_fold, --eval_split and --model_resume_path do not apply");
        goto out;
    }
    R.en = b->experiment_name ? b->experiment_name : "hyperopt";
    R.mn = b->model_name ? b->model_name : "run";
    const char *od = b->output_directory ? b->output_directory : "results";
    if (strchr(R.en, '/') || strchr(R.mn, '/') || !*R.en || !*R.mn) {
        st = lc_error_set(e, LC_ERR_USAGE, "--experiment_name and --model_name must be plain names without '/'");
        goto out;
    }
    if ((st = lc_yaml_load(H->file, &H->root, e)) ||
        (st = lc_config_upgrade(H->root, H->file, note_to_file, H->log, e)))
        goto out;
    H->h = lc_ymap_get(H->root, "hyperopt");
    if (!H->h || lc_yscalar_is_null(H->h)) {
        st = lc_error_set(e, LC_ERR_CONFIG, "%s: the config has no hyperopt section (Ludwig's 'Hyperopt Section not present in config'): add hyperopt: {parameters: ..., executor: {num_samples: N}}", H->file);
        goto out;
    }
    if ((st = parse_section(H)))
        goto out;
    /* the model the trials share must be valid before anything is drawn */
    {
        lc_ynode *copy = lc_ynode_dup(H->root);
        lc_config *c0 = NULL;
        st = copy ? lc_config_from_tree(copy, H->file, NULL, NULL, &c0, e)
                  : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        if (!st && strcmp(H->output_feature, "combined") != 0) {
            int is_out = 0;
            for (int k = 0; k < c0->nout; k++)
                is_out |= strcmp(c0->out[k].name, H->output_feature) == 0;
            if (!is_out)
                st = herr(H, lc_ymap_get(H->h, "output_feature"), "hyperopt.output_feature: '%s' is not an output feature of the config (name one of output_features, or combined)", H->output_feature);
        }
        lc_config_free(c0);
        lc_ynode_free(copy);
        if (st)
            goto out;
    }
    char prefix[8];
    id_prefix(H, prefix);
    if ((st = gen_trials(H, prefix)) || (st = build_configs(H)))
        goto out;
    if (H->nt == 0) {
        st = lc_error_set(e, LC_ERR_CONFIG, "%s: hyperopt: no trials to run", H->file);
        goto out;
    }
    /* the trials' directory: fresh, never merged into an earlier search; rank 0 makes it, the
     * other ranks write their trials into it (a filesystem the ranks share) */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", od, R.en);
    struct stat sb;
    int32_t made = 1;
    if (H->rank == 0) {
        if (stat(dir, &sb) == 0)
            st = lc_error_set(e, LC_ERR_USAGE, "%s already exists: hyperopt writes its trials into a new directory; give another --output_directory or --experiment_name, or remove it", dir);
        else if (!(st = lc_mkdir_p(dir, e)))
            made_dir = 1, dir_cleanup = lc_cleanup_add(dir);
        made = st == LC_OK;
    }
    if (H->nranks > 1) {
        lc_error be;
        lc_error_clear(&be);
        if (lc_dist_bcast(b->dist, &made, sizeof made, 0, &be) && !st)
            st = lc_error_set(e, be.status, "%s", be.msg);
        if (!made && !st)
            st = lc_error_set(e, LC_ERR_USAGE, "rank 0 could not make the trials' directory %s", dir);
    }
    if (st)
        goto out;
    if (!(H->dir = lc_strdup(dir))) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto out;
    }
    int threads = b->threads > 0 ? b->threads : 1;
    long conc = threads / H->cpu_per_trial;
    if (conc < 1)
        conc = 1;
    if (H->max_concurrent_trials > 0 && conc > H->max_concurrent_trials)
        conc = H->max_concurrent_trials;
    if (H->sa_max_concurrent > 0 && conc > H->sa_max_concurrent)
        conc = H->sa_max_concurrent;
    if (conc > H->nt)
        conc = H->nt;
    R.threads_per_trial = threads / (int)conc;
    if (R.threads_per_trial < H->cpu_per_trial)
        R.threads_per_trial = (int)H->cpu_per_trial;
    if (H->log)
        fprintf(H->log, "ludwig-c: hyperopt: %d trial(s) (%s, random_state %lld), %ld at a time with %d thread(s) each%s; %s %s of %s on the %s split\n",
                H->nt, H->search_type, H->random_state, conc, R.threads_per_trial,
                H->nranks > 1 ? " on each MPI rank (trial k on rank k mod ranks)" : "", H->goal,
                H->metric, H->output_feature, H->split);
    if ((st = run_all(H, &R, (int)conc)) ||
        (H->nranks > 1 && (st = share_trials(H, b->dist))))
        goto out;
    if (H->fatal) {
        st = fatal_error(H);
        goto out;
    }
    for (int k = 0; k < H->nt; k++)
        if (H->t[k].state == 4 && H->log)
            fprintf(H->log, "ludwig-c: warning: hyperopt trial %s was stopped by time_budget_s (%ld s) before it finished: it is not in the results\n", H->t[k].id, H->time_budget_s);
    if (R.budget_hit && H->log)
        fprintf(H->log, "ludwig-c: warning: time_budget_s (%ld s) reached: %d of %d trials finished\n", H->time_budget_s, H->finished, H->nt);
    if (!(stats = statistics(H, &order, &nres))) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (nres == 0) {
        if (R.budget_hit) {
            st = lc_error_set(e, LC_ERR_USAGE, "hyperopt: time_budget_s (%ld s) ran out before any trial finished", H->time_budget_s);
        } else {
            st = lc_error_set(e, LC_ERR_DIVERGED, "hyperopt: the training of every trial diverged (non-finite loss)");
            lc_error_hint(e, "narrow the parameters' ranges, e.g. lower learning rates");
        }
        goto out;
    }
    if (H->rank > 0) /* rank 0 writes */
        goto out;
    if (H->nranks > 1)
        print_best(H, order[0]);
    if (b->progress) {
        fprintf(b->progress, "ludwig-c: hyperopt results, best first:\n");
        const cJSON *res = cJSON_GetObjectItemCaseSensitive(stats, "hyperopt_results");
        int i = 0;
        for (const cJSON *r = res ? res->child : NULL; r; r = r->next, i++) {
            char *ps = one_line(cJSON_GetObjectItemCaseSensitive(r, "parameters"));
            fprintf(b->progress, "  trial %s  score: %.6f | parameters: %s\n", H->t[order[i]].id,
                    cJSON_GetObjectItemCaseSensitive(r, "metric_score")->valuedouble, ps ? ps : "?");
            free(ps);
        }
    }
    if (!o->skip_save_hyperopt_statistics && (st = write_json(stats, H->dir, "hyperopt_statistics.json", e)))
        goto out;
    if ((st = write_hyperopt_report(H, &R, stats, order, nres, od, e)))
        goto out;
    if (best_run_dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/trial_%s/%s_%s", H->dir, H->t[order[0]].id, R.en, R.mn);
        if (!(*best_run_dir = lc_strdup(path)))
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
out:
    if (st && made_dir) { /* no half-finished search is left behind */
        char dir2[4096];
        snprintf(dir2, sizeof dir2, "%s/%s", b->output_directory ? b->output_directory : "results", R.en);
        lc_rm_tree(dir2);
    }
    if (made_dir)
        lc_cleanup_del(dir_cleanup);
    for (int k = 0; k < H->nt; k++) {
        free_vals(H->t[k].val, H->np);
        lc_config_free(H->t[k].cfg);
        cJSON_Delete(H->t[k].train_stats);
        cJSON_Delete(H->t[k].eval_stats);
    }
    free(H->t);
    free(order);
    cJSON_Delete(stats);
    cJSON_Delete(H->config_json);
    free(H->p);
    free(H->dir);
    lc_ynode_free(H->root);
    pthread_mutex_destroy(&H->mu);
    pthread_cond_destroy(&H->cv);
    return st;
}
