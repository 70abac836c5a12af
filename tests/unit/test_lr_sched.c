/* test_lr_sched.c - lc_lr_sched against torch: tests/fixtures/lr_sched_cases.json holds the
 * learning rate of (a subsample of) every step and the progress-tracker counters after every
 * evaluation, written by tests/gen_fixtures_lr_sched.py from torch.optim.lr_scheduler composed
 * as Ludwig 0.10.3 composes it. Each case is replayed step by step here and must agree to 1e-12
 * relative (0 exactly). Plus hand-computed checks: the defaults, the double reduction right
 * after a plateau evaluation, the t_0 fallback, a checkpoint copy that resumes identically, and
 * each rejected setting naming its key. */
#include "check.h"
#include "lc_error.h"
#include "lc_json.h"
#include "lc_lr_sched.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const cJSON *get(const cJSON *o, const char *k) { return cJSON_GetObjectItemCaseSensitive(o, k); }

static int same_lr(double got, double want) { return fabs(got - want) <= 1e-12 * fabs(want); }

/* The fixture's config keys (Ludwig's names) over the defaults; 0 on an unknown key. */
static int fill_config(const cJSON *j, lc_lr_sched_config *c)
{
    lc_lr_sched_config_default(c);
    for (const cJSON *x = j->child; x; x = x->next) {
        const char *k = x->string;
        if (!strcmp(k, "decay")) {
            const char *v = cJSON_IsString(x) ? x->valuestring : "";
            c->decay = !strcmp(v, "linear")        ? LC_LR_DECAY_LINEAR
                       : !strcmp(v, "exponential") ? LC_LR_DECAY_EXPONENTIAL
                       : !strcmp(v, "cosine")      ? LC_LR_DECAY_COSINE
                                                   : LC_LR_DECAY_NONE;
        } else if (!strcmp(k, "staircase")) {
            c->staircase = cJSON_IsTrue(x);
        } else if (!strcmp(k, "decay_rate")) {
            c->decay_rate = x->valuedouble;
        } else if (!strcmp(k, "decay_steps")) {
            c->decay_steps = (int64_t)x->valuedouble;
        } else if (!strcmp(k, "reduce_on_plateau")) {
            c->reduce_on_plateau = (int64_t)x->valuedouble;
        } else if (!strcmp(k, "reduce_on_plateau_patience")) {
            c->reduce_on_plateau_patience = (int64_t)x->valuedouble;
        } else if (!strcmp(k, "reduce_on_plateau_rate")) {
            c->reduce_on_plateau_rate = x->valuedouble;
        } else if (!strcmp(k, "warmup_evaluations")) {
            c->warmup_evaluations = x->valuedouble;
        } else if (!strcmp(k, "warmup_fraction")) {
            c->warmup_fraction = x->valuedouble;
        } else if (!strcmp(k, "t_0")) {
            c->t_0 = (int64_t)x->valuedouble;
        } else if (!strcmp(k, "t_mult")) {
            c->t_mult = (int64_t)x->valuedouble;
        } else if (!strcmp(k, "eta_min")) {
            c->eta_min = x->valuedouble;
        } else {
            return 0;
        }
    }
    return 1;
}

static void run_case(const cJSON *cs)
{
    const char *name = get(cs, "name")->valuestring;
    lc_lr_sched_config c;
    CHECK_MSG(fill_config(get(cs, "config"), &c), "%s: unknown config key", name);
    c.reduce_higher_is_better = cJSON_IsTrue(get(cs, "higher_is_better"));
    double base = get(cs, "base_lr")->valuedouble;
    int64_t spc = (int64_t)get(cs, "steps_per_checkpoint")->valuedouble;
    int64_t total = (int64_t)get(cs, "total_steps")->valuedouble;
    const cJSON *metrics = get(cs, "metrics"), *lrs = get(cs, "lr"), *evals = get(cs, "evals");

    lc_lr_sched s;
    lc_error e;
    lc_error_clear(&e);
    if (lc_lr_sched_init(&s, &c, base, spc, total, &e) != LC_OK) {
        CHECK_MSG(0, "%s: init failed: %s", name, e.msg);
        return;
    }
    CHECK_MSG(s.warmup_steps == get(cs, "warmup_steps")->valuedouble, "%s: warmup steps %.17g, want %.17g",
              name, s.warmup_steps, get(cs, "warmup_steps")->valuedouble);

    const cJSON *want_lr = lrs->child, *want_ev = evals->child, *metric = metrics->child;
    int compared = 0, evals_seen = 0;
    for (int64_t steps = 0; steps <= total; steps++) {
        double lr = lc_lr_sched_lr(&s);
        if (want_lr && (int64_t)want_lr->child->valuedouble == steps) {
            double w = want_lr->child->next->valuedouble;
            CHECK_MSG(same_lr(lr, w), "%s: step %lld: lr %.17g, want %.17g", name, (long long)steps, lr, w);
            want_lr = want_lr->next;
            compared++;
        }
        if (steps == total)
            break;
        double next = lc_lr_sched_step(&s);
        CHECK(next == lc_lr_sched_lr(&s));
        if ((steps + 1) % spc != 0)
            continue;
        if (c.reduce_on_plateau == 0) { /* Ludwig's eval step returns at once: nothing changes */
            lc_lr_sched before = s;
            CHECK(lc_lr_sched_eval(&s, 0.5, steps + 1) == 0);
            CHECK_MSG(memcmp(&before, &s, sizeof s) == 0, "%s: eval changed the state with plateau off",
                      name);
            continue;
        }
        if (!metric || !want_ev) {
            CHECK_MSG(0, "%s: fixture has fewer evaluations than the run", name);
            return;
        }
        double v = cJSON_IsNull(metric) ? NAN : metric->valuedouble;
        int64_t prev = s.num_reductions;
        int reduced = lc_lr_sched_eval(&s, v, steps + 1);
        const cJSON *w = want_ev->child; /* steps, num_reductions, last_reduction, last_reduction_steps */
        int64_t ws = (int64_t)w->valuedouble, wn = (int64_t)w->next->valuedouble;
        int64_t wl = (int64_t)w->next->next->valuedouble, wls = (int64_t)w->next->next->next->valuedouble;
        CHECK_MSG(ws == steps + 1 && s.num_reductions == wn && s.last_reduction == wl &&
                      s.last_reduction_steps == wls && reduced == (s.num_reductions > prev),
                  "%s: after the evaluation at step %lld: reductions %lld, last %lld, at %lld; want %lld, %lld, %lld",
                  name, (long long)(steps + 1), (long long)s.num_reductions, (long long)s.last_reduction,
                  (long long)s.last_reduction_steps, (long long)wn, (long long)wl, (long long)wls);
        metric = metric->next;
        want_ev = want_ev->next;
        evals_seen++;
    }
    CHECK_MSG(want_lr == NULL, "%s: %d learning rates compared, fixture has more", name, compared);
    CHECK_MSG(want_ev == NULL, "%s: %d evaluations replayed, fixture has more", name, evals_seen);
}

/* base 1, no decay, 2 reductions by 0.5 after 1 bad evaluation: the evaluation multiplies the
 * current lr by 0.5^k on top of the 0.5^(k-1) the previous step applied. */
static void test_double_reduction(void)
{
    lc_lr_sched_config c;
    lc_lr_sched_config_default(&c);
    c.reduce_on_plateau = 2;
    c.reduce_on_plateau_patience = 0;
    c.reduce_on_plateau_rate = 0.5;
    lc_lr_sched s;
    CHECK(lc_lr_sched_init(&s, &c, 1.0, 1, 10, NULL) == LC_OK);
    CHECK(lc_lr_sched_step(&s) == 1.0);
    CHECK(lc_lr_sched_eval(&s, 1.0, 1) == 0); /* first value: an improvement over +inf */
    CHECK(lc_lr_sched_step(&s) == 1.0);
    CHECK(lc_lr_sched_eval(&s, 0.99995, 2) == 1 && s.num_bad_evals == 0); /* within 1e-4: no gain */
    CHECK(s.num_reductions == 1 && lc_lr_sched_lr(&s) == 0.5 && s.last_reduction_steps == 2);
    CHECK(lc_lr_sched_step(&s) == 0.5);
    CHECK(lc_lr_sched_eval(&s, 0.5, 3) == 0 && s.best == 0.5 && s.last_reduction == 1);
    CHECK(lc_lr_sched_step(&s) == 0.5);
    CHECK(lc_lr_sched_eval(&s, NAN, 4) == 1);
    CHECK(s.num_reductions == 2 && lc_lr_sched_lr(&s) == 0.125); /* 0.5 * 0.5^2 */
    CHECK(lc_lr_sched_step(&s) == 0.25);
    CHECK(lc_lr_sched_eval(&s, 9.0, 5) == 0 && lc_lr_sched_eval(&s, 9.0, 6) == 0); /* capped */
    CHECK(s.num_reductions == 2 && s.num_bad_evals == 0 && s.last_reduction == 2 &&
          s.last_reduction_steps == 4);
    CHECK(lc_lr_sched_step(&s) == 0.25);
}

static void test_defaults_and_fallbacks(void)
{
    lc_lr_sched_config c;
    lc_lr_sched_config_default(&c);
    CHECK(c.decay == LC_LR_DECAY_NONE && c.decay_rate == 0.96 && c.decay_steps == 10000 && !c.staircase);
    CHECK(c.reduce_on_plateau == 0 && c.reduce_on_plateau_patience == 10 && c.reduce_on_plateau_rate == 0.1);
    CHECK(c.warmup_evaluations == 0.0 && c.warmup_fraction == 0.0 && c.t_0 == 0 && c.t_mult == 1 &&
          c.eta_min == 0.0 && !c.reduce_higher_is_better);

    /* cosine without t_0 nor steps_per_checkpoint: T_0 = 1, so every step restarts at base */
    c.decay = LC_LR_DECAY_COSINE;
    lc_lr_sched s;
    CHECK(lc_lr_sched_init(&s, &c, 0.01, 0, 5, NULL) == LC_OK && s.t_0 == 1);
    for (int i = 0; i < 4; i++)
        CHECK(lc_lr_sched_step(&s) == 0.01);
    /* cosine without t_0: the period is steps_per_checkpoint; half way lr = base / 2 */
    CHECK(lc_lr_sched_init(&s, &c, 0.01, 4, 20, NULL) == LC_OK && s.t_0 == 4);
    lc_lr_sched_step(&s);
    CHECK(fabs(lc_lr_sched_step(&s) - 0.005) < 1e-15);

    /* exponential: the first step already decays (exponent 1 + 0 / decay_steps) */
    lc_lr_sched_config_default(&c);
    c.decay = LC_LR_DECAY_EXPONENTIAL;
    CHECK(lc_lr_sched_init(&s, &c, 1.0, 10, 100, NULL) == LC_OK && lc_lr_sched_lr(&s) == 0.96);
    /* warmup: lr 0 for the first step, base at the end of the warmup */
    lc_lr_sched_config_default(&c);
    c.warmup_evaluations = 2;
    CHECK(lc_lr_sched_init(&s, &c, 0.5, 3, 100, NULL) == LC_OK && s.warmup_steps == 6.0);
    CHECK(lc_lr_sched_lr(&s) == 0.0);
    for (int i = 1; i <= 6; i++)
        CHECK(lc_lr_sched_step(&s) == (i < 6 ? 0.5 * (i / 6.0) : 0.5));
}

/* the state is plain data: a copy taken mid-run continues exactly like the original */
static void test_checkpoint_copy(void)
{
    lc_lr_sched_config c;
    lc_lr_sched_config_default(&c);
    c.decay = LC_LR_DECAY_COSINE;
    c.t_0 = 3;
    c.t_mult = 2;
    c.warmup_fraction = 0.1;
    c.reduce_on_plateau = 3;
    c.reduce_on_plateau_patience = 0;
    lc_lr_sched a, b;
    CHECK(lc_lr_sched_init(&a, &c, 0.02, 5, 100, NULL) == LC_OK);
    unsigned char saved[sizeof a];
    for (int i = 1; i <= 100; i++) {
        lc_lr_sched_step(&a);
        if (i % 5 == 0)
            lc_lr_sched_eval(&a, 1.0 + (i % 15) * 0.1, i);
        if (i == 37)
            memcpy(saved, &a, sizeof a);
    }
    memcpy(&b, saved, sizeof b);
    for (int i = 38; i <= 100; i++) {
        lc_lr_sched_step(&b);
        if (i % 5 == 0)
            lc_lr_sched_eval(&b, 1.0 + (i % 15) * 0.1, i);
    }
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    CHECK(a.num_reductions == 3);
}

static void expect_rejected(const lc_lr_sched_config *c, double base, const char *key)
{
    lc_lr_sched s;
    lc_error e;
    lc_error_clear(&e);
    lc_status st = lc_lr_sched_init(&s, c, base, 10, 100, &e);
    CHECK_MSG(st == LC_ERR_CONFIG && strstr(e.msg, key), "%s: status %d, message '%s'", key, (int)st, e.msg);
}

static void test_rejected(void)
{
    lc_lr_sched_config c, d;
    lc_lr_sched_config_default(&d);
    c = d, c.decay_steps = 0, expect_rejected(&c, 0.1, "decay_steps");
    c = d, c.decay_rate = 1.5, expect_rejected(&c, 0.1, "decay_rate");
    c = d, c.reduce_on_plateau = 1, c.reduce_on_plateau_rate = 1.0;
    expect_rejected(&c, 0.1, "reduce_on_plateau_rate");
    c = d, c.reduce_on_plateau_patience = -1, expect_rejected(&c, 0.1, "reduce_on_plateau_patience");
    c = d, c.warmup_fraction = -0.1, expect_rejected(&c, 0.1, "warmup_fraction");
    c = d, c.warmup_evaluations = NAN, expect_rejected(&c, 0.1, "warmup_evaluations");
    c = d, c.t_mult = 0, expect_rejected(&c, 0.1, "t_mult");
    c = d, c.eta_min = -1.0, expect_rejected(&c, 0.1, "eta_min");
    c = d, c.decay = 9, expect_rejected(&c, 0.1, "decay");
    expect_rejected(&d, NAN, "learning_rate");
    /* a rate of 1 is fine while plateau is off: Ludwig never builds the torch scheduler then */
    lc_lr_sched s;
    c = d, c.reduce_on_plateau_rate = 1.0;
    CHECK(lc_lr_sched_init(&s, &c, 0.1, 10, 100, NULL) == LC_OK);
}

int main(void)
{
    lc_error e;
    lc_error_clear(&e);
    cJSON *root = lc_json_read_file("tests/fixtures/lr_sched_cases.json", &e);
    CHECK_MSG(root != NULL, "%s", e.msg);
    if (root) {
        const cJSON *cases = get(root, "cases");
        CHECK(cJSON_GetArraySize(cases) >= 18);
        for (const cJSON *cs = cases->child; cs; cs = cs->next)
            run_case(cs);
        cJSON_Delete(root);
    }
    test_double_reduction();
    test_defaults_and_fallbacks();
    test_checkpoint_copy();
    test_rejected();
    return check_exit("lr_sched");
}
