/* lc_yamlw.h - a cJSON tree written as YAML the way PyYAML's yaml.safe_dump(obj, sort_keys=False)
 * writes it (what `ludwig render_config` prints): block style, keys in tree order, sequences of a
 * mapping's key not indented, strings plain unless PyYAML's YAML 1.1 resolver would read them as
 * something else (then single-quoted), floats as PyYAML represents them (repr, lower case, a
 * ".0" before an exponent, .nan / .inf), null, true / false. libyaml's emitter (the one PyYAML's
 * was ported from) chooses the styles and folds long lines at 80 columns. */
#ifndef LC_YAMLW_H
#define LC_YAMLW_H

#include <cJSON.h>
#include <stdio.h>

#include "lc_error.h"

/* Writes root (a mapping) as one YAML document to f. */
lc_status lc_yaml_write(const cJSON *root, FILE *f, const char *name, lc_error *e);

/* 1 when PyYAML's safe loader would read the plain scalar s as something other than a string
 * (null, a bool, an int, a float, a timestamp, the merge key) */
int lc_yaml_plain_not_str(const char *s);

#endif
