/* lc_commands.h - what one command hands another inside the library: hyperopt runs each trial as
 * an experiment on a config it built, and keeps the trial's statistics. */
#ifndef LC_COMMANDS_H
#define LC_COMMANDS_H

#include <cJSON.h>

#include "lc_config.h"
#include "ludwig_c.h"

/* lc_experiment on cfg (taken: freed whatever happens) instead of o->config_path (still named in
 * description.json); NULL cfg loads o->config_path. On success *train_stats and *eval_stats (when
 * non-NULL) receive training_statistics.json's and test_statistics.json's trees (the caller's to
 * free; *eval_stats is NULL when the eval split was empty). */
lc_status lc_experiment_with_config(const lc_experiment_opts *o, lc_config *cfg,
                                    char **run_dir_out, cJSON **train_stats, cJSON **eval_stats,
                                    lc_error *e);

#endif
