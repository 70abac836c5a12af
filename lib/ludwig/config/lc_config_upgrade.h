/* lc_config_upgrade.h - Ludwig 0.10.3's upgrade of older configs (ludwig/utils/backward_compatibility.py),
 * run on the YAML tree before the config is validated: legacy keys renamed or moved to where 0.10.3
 * reads them, one note per change. Whether the upgraded values are valid is left to the validator.
 */
#ifndef LC_CONFIG_UPGRADE_H
#define LC_CONFIG_UPGRADE_H

#include "lc_error.h"
#include "lc_yaml.h"

/* Upgrades root (the config's top-level map) in place, applying Ludwig 0.10.3's transformations in
 * Ludwig's order; a `ludwig_version` in the config skips those older than it, as Ludwig does.
 * file names the config in notes and errors. For each change, note(note_arg, msg) is called with
 * one line "<file>:<line>:<col>: <change> (as Ludwig 0.10.3 does)"; note may be NULL. A current
 * config is left unchanged with no notes; parts that are not the shape an upgrade needs (a feature
 * that is a scalar, ...) are left as they are for the validator to report.
 * Returns LC_ERR_CONFIG when a legacy key and its new spelling are both given with different values
 * (message names file:line:col), LC_ERR_NOMEM on allocation failure; the tree may then be partly
 * upgraded, and is still owned by the caller (free it with lc_ynode_free). */
lc_status lc_config_upgrade(lc_ynode *root, const char *file,
                            void (*note)(void *arg, const char *msg), void *note_arg,
                            lc_error *e);

#endif
