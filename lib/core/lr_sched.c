/* lr_sched.c - the learning-rate schedule of Ludwig 0.10.3 (warmup, linear / exponential /
 * cosine-with-restarts decay, capped reduce-on-plateau), one call per optimizer step and one per
 * evaluation, reproducing torch's double arithmetic operation for operation so the sequence
 * matches torch's bit for bit on the same libm. Parsing the config, choosing the monitored
 * metric and writing training_progress.json are left to the config layer and the trainer. */
#include "lc_lr_sched.h"

#include <math.h>

/* torch.optim.lr_scheduler.ReduceLROnPlateau defaults, which Ludwig does not override */
#define PLATEAU_THRESHOLD 1e-4
#define PLATEAU_EPS 1e-8

void lc_lr_sched_config_default(lc_lr_sched_config *c)
{
    *c = (lc_lr_sched_config){
        .decay = LC_LR_DECAY_NONE,
        .staircase = 0,
        .decay_rate = 0.96,
        .decay_steps = 10000,
        .reduce_on_plateau = 0,
        .reduce_on_plateau_patience = 10,
        .reduce_on_plateau_rate = 0.1,
        .reduce_higher_is_better = 0,
        .warmup_evaluations = 0.0,
        .warmup_fraction = 0.0,
        .t_0 = 0,
        .t_mult = 1,
        .eta_min = 0.0,
    };
}

static int in_unit(double v) { return v >= 0.0 && v <= 1.0; } /* false for NaN */

static lc_status check_config(const lc_lr_sched_config *c, double base_lr,
                              int64_t steps_per_checkpoint, int64_t total_steps, lc_error *e)
{
    const char *k = "trainer.learning_rate_scheduler";
    if (c->decay < LC_LR_DECAY_NONE || c->decay > LC_LR_DECAY_COSINE)
        return lc_error_set(e, LC_ERR_CONFIG,
                            "%s.decay: unknown decay type %d (expected null, linear, exponential or cosine)",
                            k, (int)c->decay);
    if (!in_unit(c->decay_rate))
        return lc_error_set(e, LC_ERR_CONFIG,
                            "%s.decay_rate must be between 0 and 1, got %g",
                            k, c->decay_rate);
    if (c->decay_steps <= 0)
        return lc_error_set(e, LC_ERR_CONFIG,
                            "%s.decay_steps must be a positive integer, got %lld",
                            k, (long long)c->decay_steps);
    if (c->reduce_on_plateau < 0)
        return lc_error_set(e, LC_ERR_CONFIG,
                            "%s.reduce_on_plateau must be a non-negative integer, got %lld",
                            k, (long long)c->reduce_on_plateau);
    if (c->reduce_on_plateau_patience < 0)
        return lc_error_set(e, LC_ERR_CONFIG,
                            "%s.reduce_on_plateau_patience must be a non-negative integer, got %lld",
                            k, (long long)c->reduce_on_plateau_patience);
    if (!in_unit(c->reduce_on_plateau_rate))
        return lc_error_set(e, LC_ERR_CONFIG,
                            "%s.reduce_on_plateau_rate must be between 0 and 1, got %g",
                            k, c->reduce_on_plateau_rate);
    if (c->reduce_on_plateau > 0 && c->reduce_on_plateau_rate >= 1.0)
        return lc_error_set(e, LC_ERR_CONFIG,
                            "%s.reduce_on_plateau_rate must be below 1 when reduce_on_plateau > 0 (torch's ReduceLROnPlateau rejects a factor of 1), got %g",
                            k, c->reduce_on_plateau_rate);
    if (!(c->warmup_evaluations >= 0.0 && isfinite(c->warmup_evaluations)))
        return lc_error_set(e, LC_ERR_CONFIG,
                            "%s.warmup_evaluations must be a non-negative number, got %g",
                            k, c->warmup_evaluations);
    if (!(c->warmup_fraction >= 0.0 && isfinite(c->warmup_fraction)))
        return lc_error_set(e, LC_ERR_CONFIG,
                            "%s.warmup_fraction must be a non-negative number, got %g",
                            k, c->warmup_fraction);
    if (c->t_0 < 0)
        return lc_error_set(e, LC_ERR_CONFIG,
                            "%s.t_0 must be a positive integer or null, got %lld",
                            k, (long long)c->t_0);
    if (c->t_mult < 1)
        return lc_error_set(e, LC_ERR_CONFIG,
                            "%s.t_mult must be a positive integer, got %lld",
                            k, (long long)c->t_mult);
    if (!in_unit(c->eta_min))
        return lc_error_set(e, LC_ERR_CONFIG,
                            "%s.eta_min must be between 0 and 1, got %g",
                            k, c->eta_min);
    if (!(base_lr >= 0.0 && isfinite(base_lr)))
        return lc_error_set(e, LC_ERR_CONFIG,
                            "trainer.learning_rate must be a non-negative number, got %g",
                            base_lr);
    if (steps_per_checkpoint < 0 || total_steps < 0)
        return lc_error_set(e, LC_ERR_INTERNAL,
                            "learning-rate schedule: negative step counts (steps_per_checkpoint %lld, total_steps %lld)",
                            (long long)steps_per_checkpoint, (long long)total_steps);
    return LC_OK;
}

/* Ludwig's StepInfo: the larger of the two warmups, in steps; may be fractional. */
static double warmup_steps(const lc_lr_sched_config *c, int64_t spc, int64_t total)
{
    double w = 0.0;
    if (c->warmup_fraction > 0.0) {
        double v = c->warmup_fraction * (double)total;
        if (v > w)
            w = v;
    }
    if (c->warmup_evaluations > 0.0) {
        double v = c->warmup_evaluations * (double)spc;
        if (v > w)
            w = v;
    }
    return w;
}

/* The decay's lr at its own step d (cosine reads t_cur / t_i instead). */
static double decay_lr(const lc_lr_sched *s, int64_t d)
{
    const lc_lr_sched_config *c = &s->cfg;
    switch ((lc_lr_decay)c->decay) {
    case LC_LR_DECAY_NONE:
        return s->base_lr;
    case LC_LR_DECAY_LINEAR: {
        double left = (double)s->total_steps - s->warmup_steps;
        double f = (left - (double)d) / (left > 1.0 ? left : 1.0);
        return s->base_lr * (f > 0.0 ? f : 0.0);
    }
    case LC_LR_DECAY_EXPONENTIAL: {
        double x = 1.0 + (double)d / (double)c->decay_steps;
        if (c->staircase)
            x = ceil(x);
        return s->base_lr * pow(c->decay_rate, x);
    }
    case LC_LR_DECAY_COSINE:
        return c->eta_min +
               (s->base_lr - c->eta_min) * (1.0 + cos(M_PI * (double)s->t_cur / (double)s->t_i)) / 2.0;
    }
    return s->base_lr;
}

static double warmup_lr(const lc_lr_sched *s)
{
    double w = s->warmup_steps > 1.0 ? s->warmup_steps : 1.0;
    return s->base_lr * ((double)s->step / w);
}

/* Ludwig's apply_lr: lr * rate^k, unless that lowers it by no more than torch's eps. */
static void plateau_apply(lc_lr_sched *s)
{
    if (s->num_reductions == 0)
        return;
    double old = s->lr;
    double nw = old * pow(s->cfg.reduce_on_plateau_rate, (double)s->num_reductions);
    if (0.0 > nw)
        nw = 0.0;
    if (old - nw > PLATEAU_EPS)
        s->lr = nw;
}

lc_status lc_lr_sched_init(lc_lr_sched *s, const lc_lr_sched_config *c, double base_lr,
                           int64_t steps_per_checkpoint, int64_t total_steps, lc_error *e)
{
    lc_status st = check_config(c, base_lr, steps_per_checkpoint, total_steps, e);
    if (st != LC_OK)
        return st;
    *s = (lc_lr_sched){
        .cfg = *c,
        .base_lr = base_lr,
        .warmup_steps = warmup_steps(c, steps_per_checkpoint, total_steps),
        .steps_per_checkpoint = steps_per_checkpoint,
        .total_steps = total_steps,
        .t_0 = c->t_0 > 0 ? c->t_0 : steps_per_checkpoint > 0 ? steps_per_checkpoint : 1,
        .best = c->reduce_higher_is_better ? -INFINITY : INFINITY,
    };
    s->t_cur = 0;
    s->t_i = s->t_0;
    if (s->warmup_steps > 0.0) {
        s->decay_step = -1;
        s->lr = warmup_lr(s);
    } else {
        s->decay_step = 0;
        s->lr = decay_lr(s, 0);
    }
    return LC_OK;
}

double lc_lr_sched_lr(const lc_lr_sched *s) { return s->lr; }

double lc_lr_sched_step(lc_lr_sched *s)
{
    s->step++;
    if (s->warmup_steps > 0.0 && (double)s->step < s->warmup_steps) {
        s->lr = warmup_lr(s);
    } else {
        if (s->decay_step < 0) { /* the first step past the warmup restarts the decay */
            s->decay_step = 0;
            s->t_cur = 0;
            s->t_i = s->t_0;
        } else {
            s->decay_step++;
            if (s->cfg.decay == LC_LR_DECAY_COSINE && ++s->t_cur >= s->t_i) {
                s->t_cur -= s->t_i; /* a restart; a period past INT64_MAX never ends anyway */
                s->t_i = s->t_i > INT64_MAX / s->cfg.t_mult ? INT64_MAX : s->t_i * s->cfg.t_mult;
            }
        }
        s->lr = decay_lr(s, s->decay_step);
    }
    if (s->cfg.reduce_on_plateau > 0)
        plateau_apply(s);
    return s->lr;
}

int lc_lr_sched_eval(lc_lr_sched *s, double value, int64_t steps)
{
    if (s->cfg.reduce_on_plateau <= 0)
        return 0;
    int reduced = 0;
    if (s->num_reductions < s->cfg.reduce_on_plateau) {
        int better = s->cfg.reduce_higher_is_better ? value > s->best * (PLATEAU_THRESHOLD + 1.0)
                                                    : value < s->best * (1.0 - PLATEAU_THRESHOLD);
        if (better) {
            s->best = value;
            s->num_bad_evals = 0;
        } else {
            s->num_bad_evals++;
        }
        if (s->num_bad_evals > s->cfg.reduce_on_plateau_patience) {
            s->num_reductions++;
            plateau_apply(s);
            s->num_bad_evals = 0;
            reduced = 1;
        }
    }
    if (reduced) {
        s->last_reduction_steps = steps;
        s->last_reduction = 0;
    } else {
        s->last_reduction = steps - s->last_reduction_steps;
    }
    return reduced;
}
