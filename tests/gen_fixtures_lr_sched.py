#!/usr/bin/python3
"""gen_fixtures_lr_sched.py - writes tests/fixtures/lr_sched_cases.json: learning-rate sequences
for tests/unit/test_lr_sched.c, produced by torch.optim.lr_scheduler composed the way Ludwig
0.10.3 composes it (ludwig/modules/lr_scheduler.py) and driven the way its trainer drives it
(ludwig/trainers/trainer.py).

Run once from the repository root with Debian's python3-torch; CI only reads the committed file.

What is reproduced here (facts from Ludwig 0.10.3, written afresh):
  - trainer.prepare() builds a first scheduler with steps_per_checkpoint = total_steps = 0 on the
    fresh optimizer (this is what stores param_group["initial_lr"] = the base learning rate);
    train() then builds the real one with final_steps_per_checkpoint and total_steps.
  - the per-step schedule is LambdaLR(decay) alone, or SequentialLR([LambdaLR(warmup), decay],
    milestones=[num_warmup_steps]) when num_warmup_steps > 0; cosine decay is
    CosineAnnealingWarmRestarts(T_0 = t_0 or steps_per_checkpoint or 1, T_mult, eta_min).
  - reduce_on_plateau > 0 adds a ReduceLROnPlateau subclass whose _reduce_lr counts reductions and
    multiplies the *current* group lr by factor ** count, whose step() is a no-op once the count
    reaches reduce_on_plateau, and whose apply_lr() re-applies factor ** count after each
    training-step scheduler step.
  - each training step: record group lr (progress_tracker.learning_rate), optimizer.step(),
    scheduler.step(), steps += 1; when steps % steps_per_checkpoint == 0, evaluation runs and
    eval_step() feeds the next scripted metric value and updates the progress-tracker fields.

Each case records (step, lr used by that step) for a subsample of steps (steps 0-8, every fifth
step, the steps around the end of the warmup, each step that follows an evaluation), the lr after
the last step (index total_steps), and after each evaluation [steps, num_reductions_learning_rate,
last_learning_rate_reduction, last_learning_rate_reduction_steps]. Floats are written by
json.dump (shortest round-trip repr), so C's strtod reads back the exact doubles; a NaN metric
is written as null.
"""
import json
import math

import torch
from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts, LambdaLR, ReduceLROnPlateau, SequentialLR

DEFAULTS = dict(decay=None, decay_rate=0.96, decay_steps=10000, staircase=False, reduce_on_plateau=0,
                reduce_on_plateau_patience=10, reduce_on_plateau_rate=0.1, warmup_evaluations=0,
                warmup_fraction=0.0, t_0=None, t_mult=1, eta_min=0)


class CappedPlateau(ReduceLROnPlateau):
    def __init__(self, optimizer, mode, limit, factor, patience):
        super().__init__(optimizer, mode=mode, factor=factor, patience=patience)
        self.limit = limit
        self.count = 0

    def step(self, metrics):
        if self.count >= self.limit:
            return
        super().step(metrics)

    def _reduce_lr(self, epoch=None):
        self.count += 1
        self.apply_lr()

    def apply_lr(self):
        if self.count == 0:
            return
        for i, group in enumerate(self.optimizer.param_groups):
            old = float(group["lr"])
            new = max(old * math.pow(self.factor, self.count), self.min_lrs[i])
            if old - new > self.eps:
                group["lr"] = new


def warmup_steps(cfg, spc, total):
    w = 0
    if cfg["warmup_fraction"] > 0:
        w = max(cfg["warmup_fraction"] * total, w)
    if cfg["warmup_evaluations"] > 0:
        w = max(cfg["warmup_evaluations"] * spc, w)
    return w


def decay_factor(cfg, step, total, w):
    if cfg["decay"] == "linear":
        return max(0.0, float(total - w - step) / float(max(1, total - w)))
    if cfg["decay"] == "exponential":
        e = 1 + float(step) / float(cfg["decay_steps"])
        if cfg["staircase"]:
            e = math.ceil(e)
        return math.pow(float(cfg["decay_rate"]), e)
    return 1.0


class Sched:
    def __init__(self, cfg, opt, spc, total, higher_is_better):
        self.w = warmup_steps(cfg, spc, total)
        scheds = []
        if self.w > 0:
            w = self.w
            scheds.append(LambdaLR(opt, lambda s: float(s) / float(max(1, w))))
        if cfg["decay"] == "cosine":
            t0 = cfg["t_0"] or spc or 1
            scheds.append(CosineAnnealingWarmRestarts(opt, T_0=t0, T_mult=cfg["t_mult"] or 1,
                                                      eta_min=cfg["eta_min"] or 0))
        else:
            scheds.append(LambdaLR(opt, lambda s: decay_factor(cfg, s, total, self.w)))
        self.train = scheds[0] if len(scheds) == 1 else SequentialLR(opt, scheds, milestones=[self.w])
        self.plateau = None
        if cfg["reduce_on_plateau"] > 0:
            self.plateau = CappedPlateau(opt, "max" if higher_is_better else "min", cfg["reduce_on_plateau"],
                                         cfg["reduce_on_plateau_rate"], cfg["reduce_on_plateau_patience"])

    def step(self):
        self.train.step()
        if self.plateau is not None:
            self.plateau.apply_lr()


def run(name, cfg_over, base_lr, spc, total, metrics=(), higher_is_better=False):
    cfg = dict(DEFAULTS)
    cfg.update(cfg_over)
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base_lr)
    Sched(cfg, opt, 0, 0, higher_is_better)  # trainer.prepare()
    sched = Sched(cfg, opt, spc, total, higher_is_better)  # trainer.train()
    tracker = dict(steps=0, num=0, last=0, last_steps=0)
    lrs, evals, neval = [], [], 0
    w = sched.w
    keep = set(range(9)) | set(range(0, total + 1, 5)) | {math.floor(w), math.ceil(w), math.ceil(w) + 1}
    for i in range(total):
        if i in keep:
            lrs.append([i, opt.param_groups[0]["lr"]])
        opt.step()
        sched.step()
        tracker["steps"] += 1
        if tracker["steps"] % spc == 0 and sched.plateau is not None:
            before = sched.plateau.count
            sched.plateau.step(metrics[neval])
            neval += 1
            if sched.plateau.count > before:
                tracker["last_steps"] = tracker["steps"]
                tracker["last"] = 0
                tracker["num"] += 1
            else:
                tracker["last"] = tracker["steps"] - tracker["last_steps"]
            evals.append([tracker["steps"], tracker["num"], tracker["last"], tracker["last_steps"]])
            keep.add(tracker["steps"])
    lrs.append([total, opt.param_groups[0]["lr"]])
    cfg_out = {k: v for k, v in cfg_over.items()}
    return dict(name=name, config=cfg_out, base_lr=base_lr, steps_per_checkpoint=spc, total_steps=total,
                higher_is_better=higher_is_better,
                metrics=[None if m != m else m for m in metrics[:neval]], warmup_steps=sched.w,
                lr=lrs, evals=evals)


NAN = float("nan")
# a loss that improves, stalls (within the 1e-4 relative threshold), improves, then stalls for good
LOSS = [1.0, 0.8, 0.7, 0.69995, 0.7, 0.71, 0.6, 0.6, 0.59999, 0.61, 0.62, 0.63, 0.5, 0.55, 0.56, 0.57, 0.58,
        0.59, 0.6, 0.61, 0.62, 0.63, 0.64, 0.65, 0.66, 0.67, 0.68, 0.69, 0.7, 0.71]
# an accuracy (higher is better) with a NaN evaluation (never an improvement)
ACC = [0.1, 0.2, 0.2, 0.25, NAN, 0.24, 0.3, 0.3, 0.3, 0.35, 0.35, 0.34, 0.33, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]

CASES = [
    run("constant", {}, 0.001, 8, 40),
    run("linear", dict(decay="linear"), 0.01, 8, 100),
    run("linear_warmup_fraction", dict(decay="linear", warmup_fraction=0.1), 0.01, 8, 100),
    # 0.07 * 300 = 21.000000000000004: a fractional milestone, never equal to an integer step
    run("linear_warmup_fraction_fractional", dict(decay="linear", warmup_fraction=0.07), 0.003, 10, 300),
    run("linear_tiny_total", dict(decay="linear", warmup_fraction=0.5), 0.1, 1, 3),
    run("exponential", dict(decay="exponential", decay_rate=0.9, decay_steps=25), 0.02, 8, 100),
    run("exponential_staircase", dict(decay="exponential", decay_rate=0.8, decay_steps=10, staircase=True),
        0.02, 8, 100),
    run("exponential_staircase_warmup_evaluations",
        dict(decay="exponential", decay_rate=0.5, decay_steps=7, staircase=True, warmup_evaluations=2),
        0.05, 8, 100),
    # both warmups set: the larger in steps wins (0.05 * 120 = 6 < 1.5 * 8 = 12)
    run("exponential_both_warmups", dict(decay="exponential", decay_rate=0.7, decay_steps=13,
                                         warmup_fraction=0.05, warmup_evaluations=1.5), 0.01, 8, 120),
    run("warmup_only", dict(warmup_evaluations=3), 0.004, 5, 40),
    run("cosine_default_t0", dict(decay="cosine"), 0.01, 8, 100),
    run("cosine_tmult_etamin_warmup", dict(decay="cosine", t_0=7, t_mult=2, eta_min=0.0005, warmup_fraction=0.1),
        0.01, 8, 150),
    run("plateau_min", dict(reduce_on_plateau=3, reduce_on_plateau_patience=1, reduce_on_plateau_rate=0.5),
        0.01, 5, 150, LOSS),
    run("plateau_min_default_patience", dict(reduce_on_plateau=2), 0.01, 4, 120, LOSS),
    run("plateau_max_nan_linear_warmup",
        dict(decay="linear", warmup_fraction=0.1, reduce_on_plateau=2, reduce_on_plateau_patience=0,
             reduce_on_plateau_rate=0.3), 0.02, 6, 120, ACC, True),
    run("plateau_exponential_staircase",
        dict(decay="exponential", decay_rate=0.9, decay_steps=9, staircase=True, reduce_on_plateau=4,
             reduce_on_plateau_patience=2, reduce_on_plateau_rate=0.2), 0.05, 6, 150, LOSS),
    run("plateau_cosine", dict(decay="cosine", t_0=5, t_mult=3, reduce_on_plateau=3, reduce_on_plateau_patience=1,
                               reduce_on_plateau_rate=0.1, warmup_evaluations=1), 0.01, 5, 120, LOSS),
    # lr * 0.5 changes the lr by less than ReduceLROnPlateau's eps (1e-8): counted, but lr kept
    run("plateau_below_eps", dict(reduce_on_plateau=2, reduce_on_plateau_patience=0, reduce_on_plateau_rate=0.5),
        1.5e-8, 4, 60, LOSS),
]

with open("tests/fixtures/lr_sched_cases.json", "w") as f:
    json.dump({"generator": "tests/gen_fixtures_lr_sched.py", "torch": torch.__version__, "cases": CASES}, f,
              separators=(",", ":"))
    f.write("\n")
