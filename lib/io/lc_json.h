/* lc_json.h - JSON files exactly as Ludwig writes them: Python's
 * json.dump(obj, f, sort_keys=True, indent=4) (ensure_ascii, allow_nan), byte for byte, for cJSON
 * trees; and a reader for such files (including the NaN/Infinity tokens Python writes).
 *
 * Python ints and floats differ in the output (1 vs 1.0), cJSON has one number type. A number
 * item may therefore carry its exact output text in `valuestring`:
 *   lc_json_float(v)  a cJSON Number (cJSON_IsNumber, valuedouble == v, so cJSON_GetNumberValue
 *                     works) whose valuestring is Python's repr(v): 0.1, 1.0, 1e-05, 1e+16, NaN,
 *                     Infinity, -Infinity. cJSON frees that text with the item.
 *   lc_json_int(v)    a Number printed as an integer, exactly, even beyond 2^53.
 *   other Numbers     printed as an integer when integral and |v| < 2^53, else as a float repr.
 * The text is used only while it still reads back as valuedouble, so cJSON_SetNumberValue on a
 * tagged item cannot print a stale value (a stale float tag prints repr(valuedouble)).
 * cJSON Raw items are written verbatim. lc_json_read_file tags what it parses the same way
 * (floats with their repr, integers beyond 2^53 with their digits), so reading a Python-written
 * file and writing it back reproduces it.
 *
 * Strings: invalid UTF-8 is written as \ufffd (Python strings cannot hold it). Keys are sorted by
 * code point, as Python sorts str keys (an invalid byte sorts as the U+FFFD it is written as);
 * equal keys keep their tree order.
 * Not handled here: the meaning of any file (lib/ludwig builds and reads the trees).
 */
#ifndef LC_JSON_H
#define LC_JSON_H

#include "lc_error.h"

#include <cJSON.h>
#include <stddef.h>

#define LC_JSON_READ_MAX ((size_t)512 << 20) /* bytes; larger files are refused */
#define LC_JSON_DEPTH_MAX 512                /* nesting depth accepted by the reader */
#define LC_JSON_REPR_MAX 32                  /* buffer size that fits every float repr */

/* New Number items (NULL on allocation failure). */
cJSON *lc_json_float(double v);
cJSON *lc_json_int(long long v);
/* Adds lc_json_float(v) to obj under key: 0, or -1 on allocation failure (nothing added). */
int lc_json_add_float(cJSON *obj, const char *key, double v);

/* 1 if item is a Number tagged as a Python float (lc_json_float or a parsed 1.5/1e3/NaN). */
int lc_json_is_float(const cJSON *item);

/* Python's repr(float(v)) into buf (at least LC_JSON_REPR_MAX bytes); returns its length. */
size_t lc_json_float_repr(double v, char *buf, size_t n);

/* The whole tree as Python would write it, no trailing newline; malloc'd (free()), NULL on
 * allocation failure. root may be any item (a bare scalar prints as that scalar). */
char *lc_json_print_py(const cJSON *root);
/* A string as Python's json.dumps(s, ensure_ascii=True) writes it, quotes included (malloc'd). */
char *lc_json_py_string(const char *s);

/* Writes lc_json_print_py(root) to path atomically: path.tmp is written, fsynced, renamed over
 * path; on any failure the temporary file is removed and LC_ERR_IO (or LC_ERR_NOMEM) returned. */
lc_status lc_json_write_file(const cJSON *root, const char *path, lc_error *e);

/* Parses a JSON file (Python json.load's grammar: RFC 8259 plus NaN, Infinity, -Infinity).
 * Returns a tree to cJSON_Delete, or NULL with e set: LC_ERR_IO when the file cannot be read,
 * LC_ERR_DATA when it is too large or not valid JSON (message "path:line:column: ...").
 * Duplicate object keys are kept in file order (cJSON lookups find the first; Python keeps the
 * last). A \u0000 escape is refused (cJSON strings end at NUL); lone surrogate escapes become
 * U+FFFD. */
cJSON *lc_json_read_file(const char *path, lc_error *e);

/* The same parser on a buffer; name is used in messages. */
cJSON *lc_json_parse(const char *text, size_t len, const char *name, lc_error *e);

#endif
