/* lc_lr_sched.h - Ludwig 0.10.3's trainer.learning_rate_scheduler: the learning rate of every
 * training step, in double, as torch.optim.lr_scheduler computes it when Ludwig composes it
 * (ludwig/modules/lr_scheduler.py) and its trainer drives it (ludwig/trainers/trainer.py).
 *
 * Numbers only. The config layer parses the YAML into lc_lr_sched_config (string options become
 * enums; reduce_eval_metric becomes reduce_higher_is_better), and the trainer picks the metric
 * value of reduce_eval_split, copies the counters into training_progress.json and checkpoints
 * the state. learning_rate_scaling is not here: Ludwig multiplies the base learning rate by
 * f(number of workers) (linear n, sqrt n, constant 1), which is 1 for our single process.
 *
 * Calling convention (Ludwig's trainer loop, one optimizer param group):
 *   lc_lr_sched_init(...)                  once training knows total_steps and
 *                                          final_steps_per_checkpoint; lr = lc_lr_sched_lr()
 *   for each training step:
 *       progress.learning_rate = lr        the lr this step uses (what Ludwig reports)
 *       optimizer step with lr
 *       lr = lc_lr_sched_step(s)           right after the optimizer step, every step
 *       steps += 1
 *       if steps % steps_per_checkpoint == 0 and evaluation runs with a non-empty validation set:
 *           lc_lr_sched_eval(s, value, steps); lr = lc_lr_sched_lr(s)
 *   (value: the last reduce_eval_metric of reduce_eval_split for the trainer's validation_field;
 *   Ludwig only calls its eval step when a validation set exists.)
 *
 * Schedule (e = scheduler steps so far, W = warmup steps, N = total_steps, spc =
 * steps_per_checkpoint, base = base learning rate):
 *   W = max(warmup_fraction * N, warmup_evaluations * spc) over the positive ones, else 0; it
 *       may be fractional. While e < W: lr = base * e / max(1, W). From the first e >= W the decay
 *       runs on its own counter d = 0, 1, ... (d = e without warmup).
 *   none         lr = base
 *   linear       lr = base * max(0, (N - W - d) / max(1, N - W))
 *   exponential  lr = base * decay_rate ^ (1 + d / decay_steps), the exponent rounded up when
 *                staircase (so d = 0 already gives base * decay_rate)
 *   cosine       torch's CosineAnnealingWarmRestarts with T_0 = t_0, else spc, else 1; T_cur
 *                counts steps in the period, a restart multiplies the period by t_mult:
 *                lr = eta_min + (base - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2
 *   plateau      (reduce_on_plateau > 0) torch's ReduceLROnPlateau (threshold 1e-4 relative,
 *                cooldown 0, min_lr 0, eps 1e-8): an evaluation is an improvement when
 *                value < best * (1 - 1e-4) (or > best * (1 + 1e-4) when higher is better; NaN
 *                never is); after more than reduce_on_plateau_patience evaluations without one,
 *                the reduction count k grows by 1 (at most reduce_on_plateau times; then
 *                evaluations are ignored). Ludwig then multiplies the current lr by rate^k at
 *                that evaluation, and after every later step multiplies the freshly scheduled lr
 *                by rate^k; a multiplication that would lower the lr by 1e-8 or less is skipped.
 *                So the step right after the k-th reduction runs at scheduled * rate^(2k-1), the
 *                following ones at scheduled * rate^k, exactly as in Ludwig.
 */
#ifndef LC_LR_SCHED_H
#define LC_LR_SCHED_H

#include <stdint.h>

#include "lc_error.h"

typedef enum lc_lr_decay {
    LC_LR_DECAY_NONE = 0, /* decay: null (the default) */
    LC_LR_DECAY_LINEAR,
    LC_LR_DECAY_EXPONENTIAL,
    LC_LR_DECAY_COSINE
} lc_lr_decay;

/* trainer.learning_rate_scheduler, with Ludwig's names; lc_lr_sched_config_default fills the
 * schema defaults shown. */
typedef struct lc_lr_sched_config {
    int32_t decay;                      /* lc_lr_decay; LC_LR_DECAY_NONE */
    int32_t staircase;                  /* 0 */
    double decay_rate;                  /* 0.96, in [0, 1] */
    int64_t decay_steps;                /* 10000, > 0 */
    int64_t reduce_on_plateau;          /* 0: how many reductions at most (0 turns plateau off) */
    int64_t reduce_on_plateau_patience; /* 10 */
    double reduce_on_plateau_rate;      /* 0.1; below 1 when reduce_on_plateau > 0 (torch) */
    int32_t reduce_higher_is_better;    /* 0: objective of reduce_eval_metric (default loss) */
    int32_t pad0;
    double warmup_evaluations;          /* 0 (a float in Ludwig's schema) */
    double warmup_fraction;             /* 0 */
    int64_t t_0;                        /* 0 = unset (null): steps_per_checkpoint */
    int64_t t_mult;                     /* 1 */
    double eta_min;                     /* 0, in [0, 1] */
} lc_lr_sched_config;

/* The whole scheduler: fixed size, no pointers, so a checkpoint saves it as bytes and a resumed
 * run continues bit for bit. Fields are read-only outside lr_sched.c except through the calls
 * below; num_reductions, last_reduction and last_reduction_steps are training_progress.json's
 * num_reductions_learning_rate, last_learning_rate_reduction and
 * last_learning_rate_reduction_steps (all 0 while plateau is off, as in Ludwig). */
typedef struct lc_lr_sched {
    lc_lr_sched_config cfg;
    double base_lr;
    double warmup_steps;          /* W; 0 = no warmup */
    int64_t steps_per_checkpoint;
    int64_t total_steps;
    int64_t t_0;                  /* the resolved cosine period */
    int64_t step;                 /* lc_lr_sched_step calls so far */
    int64_t decay_step;           /* the decay's own counter d; -1 until warmup ends */
    int64_t t_cur, t_i;           /* cosine: position in the period and its length */
    double lr;                    /* the lr the next optimizer step uses */
    double best;                  /* plateau: best value so far (+-inf before the first) */
    int64_t num_bad_evals;
    int64_t num_reductions;
    int64_t last_reduction;       /* steps since the last reduction, as of the last evaluation */
    int64_t last_reduction_steps; /* steps at the last reduction */
} lc_lr_sched;

/* Ludwig 0.10.3's defaults. */
void lc_lr_sched_config_default(lc_lr_sched_config *c);

/* Starts the schedule for a run of total_steps optimizer steps evaluated every
 * steps_per_checkpoint steps (Ludwig's final_steps_per_checkpoint: min(steps_per_checkpoint or
 * steps_per_epoch / checkpoints_per_epoch, capped at steps_per_epoch, total_steps)), from
 * base_lr (trainer.learning_rate after "auto" is resolved). Afterwards lc_lr_sched_lr() is the
 * lr of the first step: 0 with warmup, base * decay(0) without. Fails with LC_ERR_CONFIG, naming
 * the key, on an out-of-range setting (the ones Ludwig's schema or torch reject). */
lc_status lc_lr_sched_init(lc_lr_sched *s, const lc_lr_sched_config *c, double base_lr,
                           int64_t steps_per_checkpoint, int64_t total_steps, lc_error *e);

/* The lr the next optimizer step uses. */
double lc_lr_sched_lr(const lc_lr_sched *s);

/* Called right after each optimizer step (Ludwig's scheduler.step()); returns the lr of the
 * next step. */
double lc_lr_sched_step(lc_lr_sched *s);

/* Called after an evaluation, once the step counter has been incremented (steps = the
 * progress tracker's steps), with the monitored metric value (NaN allowed). Updates the plateau
 * state, the counters and possibly lc_lr_sched_lr(). Returns 1 when this evaluation made a
 * reduction, else 0 (always 0, touching nothing, when reduce_on_plateau is 0). */
int lc_lr_sched_eval(lc_lr_sched *s, double value, int64_t steps);

#endif
