/* test_date.c - the date column's parser (lc_date_parse, date.c) against what Ludwig 0.10.3 makes
 * of each cell (tests/fixtures/date_parse_cases.json, written by tests/gen_fixtures_date_parse.py
 * with python3-dateutil and numpy: strptime with datetime_format, else dateutil's parse, else a
 * timestamp; the 9 numbers stored as int16): ISO dates and times, month-first and day-first
 * numbers, month names, YYYYMMDD[hhmmss], second and millisecond timestamps, offsets ignored,
 * formats with %d %m %Y %H %M %j %b %I %p and a format that fails falling back to the parser;
 * cells none of these read are refused. Run from the repository root. */
#include "check.h"
#include "lc_prep_tab.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE "tests/fixtures/date_parse_cases.json"

int main(void)
{
    char *text = check_slurp(FIXTURE, NULL);
    CHECK_MSG(text != NULL, "cannot read %s (run the tests from the repository root)", FIXTURE);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
    int n = 0;
    for (const cJSON *c = cases ? cases->child : NULL; c; c = c->next, n++) {
        const char *cell = cJSON_GetObjectItemCaseSensitive(c, "cell")->valuestring;
        const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(c, "format");
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "want");
        float v[9];
        int rc = lc_date_parse(cell, cJSON_IsString(fmt) ? fmt->valuestring : NULL, v);
        CHECK_MSG(rc == 0, "'%s' (format %s) is refused", cell,
                  cJSON_IsString(fmt) ? fmt->valuestring : "none");
        int k = 0, same = rc == 0;
        for (const cJSON *w = want->child; w && k < 9; w = w->next, k++)
            same &= v[k] == (float)w->valuedouble;
        CHECK_MSG(same, "'%s': %g %g %g %g %g %g %g %g %g differ from Ludwig's", cell, v[0], v[1],
                  v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    }
    CHECK(n >= 20);
    const cJSON *bad = cJSON_GetObjectItemCaseSensitive(root, "bad");
    for (const cJSON *b = bad ? bad->child : NULL; b; b = b->next) {
        float v[9];
        CHECK_MSG(lc_date_parse(b->valuestring, NULL, v) != 0, "'%s' is read as a date",
                  b->valuestring);
    }
    cJSON_Delete(root);
    return check_exit("test_date");
}
