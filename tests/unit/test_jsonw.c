/* test_jsonw.c - lc_json: Python's float repr (hand cases and 6,000+ values whose repr Python
 * wrote, tests/fixtures/json_float_repr.txt), the json.dump(sort_keys=True, indent=4) layout,
 * escapes and number rules byte for byte (hand-written strings and a file Python wrote,
 * tests/fixtures/json_py_sample.json, both from tests/gen_fixtures_jsonw.py), the reader's
 * grammar and error messages, and atomic writes. */
#include "check.h"
#include "lc_error.h"
#include "lc_json.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/lc_test_jsonw_XXXXXX";

static void check_repr(double v, const char *want)
{
    char buf[LC_JSON_REPR_MAX];
    lc_json_float_repr(v, buf, sizeof buf);
    CHECK_MSG(strcmp(buf, want) == 0, "repr(%.17g) = '%s', want '%s'", v, buf, want);
}

/* The tree printed Python's way equals want. Consumes root. */
static void check_print(cJSON *root, const char *want)
{
    char *s = lc_json_print_py(root);
    CHECK_MSG(s && strcmp(s, want) == 0, "got\n%s\nwant\n%s", s ? s : "(null)", want);
    free(s);
    cJSON_Delete(root);
}

static void test_repr_hand(void)
{
    check_repr(0.1, "0.1");
    check_repr(1.0, "1.0");
    check_repr(-1.0, "-1.0");
    check_repr(0.0, "0.0");
    check_repr(-0.0, "-0.0");
    check_repr(1e-05, "1e-05");
    check_repr(0.0001, "0.0001");
    check_repr(0.00012345, "0.00012345");
    check_repr(1.2345678901234568e+17, "1.2345678901234568e+17");
    check_repr(123456789012345680.0, "1.2345678901234568e+17");
    check_repr(1e16, "1e+16");
    check_repr(1e15, "1000000000000000.0");
    check_repr(9999999999999998.0, "9999999999999998.0");
    check_repr(5e-324, "5e-324");
    check_repr(1.7976931348623157e308, "1.7976931348623157e+308");
    check_repr(3.0000000000000004, "3.0000000000000004");
    check_repr(0.1 + 0.2, "0.30000000000000004");
    check_repr(1e22, "1e+22");
    check_repr(1.5e300, "1.5e+300");
    check_repr(123.456, "123.456");
    check_repr((double)0.9f, "0.8999999761581421");
    check_repr(NAN, "NaN");
    check_repr(INFINITY, "Infinity");
    check_repr(-INFINITY, "-Infinity");
}

static void test_repr_fixture(void)
{
    FILE *f = fopen("tests/fixtures/json_float_repr.txt", "r");
    CHECK_MSG(f != NULL, "tests/fixtures/json_float_repr.txt missing (run from the repo root)");
    if (!f)
        return;
    char line[128];
    int n = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long bits;
        char want[64];
        if (sscanf(line, "%16llx %63s", &bits, want) != 2)
            continue;
        uint64_t b = bits;
        double v;
        memcpy(&v, &b, sizeof v);
        char got[LC_JSON_REPR_MAX];
        lc_json_float_repr(v, got, sizeof got);
        if (strcmp(got, want) != 0 && bad++ < 10)
            fprintf(stderr, "repr mismatch for %016llx: got %s want %s\n", bits, got, want);
        n++;
    }
    fclose(f);
    CHECK_MSG(bad == 0, "%d of %d float reprs differ from Python", bad, n);
    CHECK(n > 6000);
}

static void test_layout(void)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "zeta", lc_json_int(3));
    cJSON_AddItemToObject(o, "alpha", lc_json_float(0.5));
    cJSON *l = cJSON_AddArrayToObject(o, "list");
    cJSON_AddItemToArray(l, lc_json_int(1));
    cJSON_AddItemToArray(l, cJSON_CreateArray());
    cJSON_AddItemToArray(l, cJSON_CreateObject());
    cJSON *in = cJSON_CreateObject();
    cJSON_AddItemToObject(in, "b", cJSON_CreateTrue());
    cJSON_AddItemToObject(in, "a", cJSON_CreateNull());
    cJSON_AddItemToArray(l, in);
    cJSON_AddItemToObject(o, "B", cJSON_CreateFalse());
    cJSON_AddItemToObject(o, "s", cJSON_CreateString("x"));
    check_print(o, "{\n"
                   "    \"B\": false,\n"
                   "    \"alpha\": 0.5,\n"
                   "    \"list\": [\n"
                   "        1,\n"
                   "        [],\n"
                   "        {},\n"
                   "        {\n"
                   "            \"a\": null,\n"
                   "            \"b\": true\n"
                   "        }\n"
                   "    ],\n"
                   "    \"s\": \"x\",\n"
                   "    \"zeta\": 3\n"
                   "}");
    check_print(cJSON_CreateArray(), "[]");
    check_print(cJSON_CreateObject(), "{}");
    check_print(lc_json_float(2.0), "2.0");
    check_print(cJSON_CreateString("top"), "\"top\"");
    char *s = lc_json_print_py(NULL);
    CHECK(s && strcmp(s, "null") == 0);
    free(s);

    /* keys: byte order, so digits < uppercase < '_' < lowercase < non-ASCII; "10" < "9" */
    o = cJSON_CreateObject();
    const char *keys[] = {"\xc3\xa9", "b", "_", "Z", "9", "10", ""};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cJSON_AddItemToObject(o, keys[i], lc_json_int((long long)i));
    check_print(o, "{\n    \"\": 6,\n    \"10\": 5,\n    \"9\": 4,\n    \"Z\": 3,\n"
                   "    \"_\": 2,\n    \"b\": 1,\n    \"\\u00e9\": 0\n}");
}

static void test_numbers(void)
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateNumber(3));            /* integral: int */
    cJSON_AddItemToArray(a, cJSON_CreateNumber(-0.0));         /* integral: 0 */
    cJSON_AddItemToArray(a, cJSON_CreateNumber(0.25));         /* not integral: float repr */
    cJSON_AddItemToArray(a, cJSON_CreateNumber(9007199254740992.0)); /* 2^53: float repr */
    cJSON_AddItemToArray(a, cJSON_CreateNumber(1e300));
    cJSON_AddItemToArray(a, cJSON_CreateNumber(NAN));
    cJSON_AddItemToArray(a, lc_json_int(9007199254740993LL)); /* exact beyond 2^53 */
    cJSON_AddItemToArray(a, lc_json_int(INT64_MIN));
    cJSON_AddItemToArray(a, lc_json_float(1e-05));
    cJSON_AddItemToArray(a, lc_json_float(-INFINITY));
    cJSON_AddItemToArray(a, cJSON_CreateRaw("12.50"));
    check_print(a, "[\n    3,\n    0,\n    0.25,\n    9007199254740992.0,\n    1e+300,\n"
                   "    NaN,\n    9007199254740993,\n    -9223372036854775808,\n    1e-05,\n"
                   "    -Infinity,\n    12.50\n]");

    /* a stale tag is not printed: cJSON_SetNumberValue keeps the item a float */
    cJSON *f = lc_json_float(0.5);
    CHECK(lc_json_is_float(f) && cJSON_IsNumber(f) && cJSON_GetNumberValue(f) == 0.5);
    cJSON_SetNumberValue(f, 2);
    check_print(f, "2.0");
    cJSON *i = lc_json_int(7);
    CHECK(!lc_json_is_float(i) && cJSON_GetNumberValue(i) == 7);
    cJSON_Delete(i);
    /* tags survive cJSON_Duplicate */
    cJSON *g = lc_json_float(1.0);
    cJSON *d = cJSON_Duplicate(g, 1);
    cJSON_Delete(g);
    check_print(d, "1.0");
}

static void test_escapes(void)
{
    check_print(cJSON_CreateString("q\" b\\ s/ n\n r\r t\t b\b f\f c\x01\x1f d\x7f"),
                "\"q\\\" b\\\\ s/ n\\n r\\r t\\t b\\b f\\f c\\u0001\\u001f d\\u007f\"");
    /* é, €, U+1F600 (surrogate pair), 中 */
    check_print(cJSON_CreateString("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe4\xb8\xad"),
                "\"caf\\u00e9 \\u20ac \\ud83d\\ude00 \\u4e2d\"");
    /* invalid UTF-8: lone continuation, truncated sequence, overlong, encoded surrogate */
    check_print(cJSON_CreateString("a\x80z \xe2\x82 \xc0\xaf \xed\xa0\x80"),
                "\"a\\ufffdz \\ufffd\\ufffd \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd\"");
}

static void test_python_sample(void)
{
    size_t len = 0;
    char *want = check_slurp("tests/fixtures/json_py_sample.json", &len);
    CHECK_MSG(want != NULL, "tests/fixtures/json_py_sample.json missing");
    if (!want)
        return;
    lc_error e;
    lc_error_clear(&e);
    cJSON *root = lc_json_read_file("tests/fixtures/json_py_sample.json", &e);
    CHECK_MSG(root != NULL, "%s", e.msg);
    if (root) {
        char *got = lc_json_print_py(root);
        CHECK_MSG(got && strlen(got) == len && memcmp(got, want, len) == 0,
                  "re-written Python sample differs:\n%s", got ? got : "(null)");
        free(got);
        const cJSON *fl = cJSON_GetObjectItemCaseSensitive(root, "floats");
        CHECK(cJSON_GetArraySize(fl) == 12);
        CHECK(isnan(cJSON_GetArrayItem(fl, 8)->valuedouble));
        CHECK(lc_json_is_float(cJSON_GetArrayItem(fl, 1)));
        const cJSON *un = cJSON_GetObjectItemCaseSensitive(root, "unicode");
        CHECK(cJSON_IsString(un) &&
              strcmp(un->valuestring, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe4\xb8\xad") == 0);
        cJSON_Delete(root);
    }
    free(want);
}

static void expect_parse_error(const char *text, lc_status st, const char *substr)
{
    lc_error e;
    lc_error_clear(&e);
    cJSON *r = lc_json_parse(text, strlen(text), "in.json", &e);
    CHECK_MSG(r == NULL && e.status == st, "'%s' parsed or status %s", text, lc_status_name(e.status));
    CHECK_MSG(strstr(e.msg, substr) != NULL, "message '%s' lacks '%s'", e.msg, substr);
    cJSON_Delete(r);
}

static void test_reader(void)
{
    lc_error e;
    lc_error_clear(&e);
    const char *txt = " {\"a\": [1, -2.5e3, 1E2, -0, 0.0, NaN, -Infinity, true, null],"
                      " \"s\": \"x\\u00e9\\ud83d\\ude00\\/\\\"\", \"big\": 123456789012345678901}\n";
    cJSON *r = lc_json_parse(txt, strlen(txt), "t", &e);
    CHECK_MSG(r != NULL, "%s", e.msg);
    if (r) {
        check_print(cJSON_Duplicate(r, 1),
                    "{\n    \"a\": [\n        1,\n        -2500.0,\n        100.0,\n        0,\n"
                    "        0.0,\n        NaN,\n        -Infinity,\n        true,\n        null\n"
                    "    ],\n    \"big\": 123456789012345678901,\n"
                    "    \"s\": \"x\\u00e9\\ud83d\\ude00/\\\"\"\n}");
        cJSON_Delete(r);
    }
    expect_parse_error("", LC_ERR_DATA, "in.json:1:1: invalid JSON: expecting a value");
    expect_parse_error("{\"a\": 1,\n  \"b\" 2}", LC_ERR_DATA, "in.json:2:7: invalid JSON: expecting ':'");
    expect_parse_error("[1, 2", LC_ERR_DATA, "expecting ',' or ']'");
    expect_parse_error("[1] x", LC_ERR_DATA, "extra data");
    expect_parse_error("{'a': 1}", LC_ERR_DATA, "property name");
    expect_parse_error("[01]", LC_ERR_DATA, "expecting ',' or ']'");
    expect_parse_error("\"abc", LC_ERR_DATA, "unterminated string");
    expect_parse_error("\"a\tb\"", LC_ERR_DATA, "control character");
    expect_parse_error("\"\\x\"", LC_ERR_DATA, "invalid escape");
    expect_parse_error("\"\\u12\"", LC_ERR_DATA, "\\uXXXX");
    expect_parse_error("\"\\u0000\"", LC_ERR_DATA, "\\u0000");
    expect_parse_error("\xEF\xBB\xBF{}", LC_ERR_DATA, "byte order mark");
    expect_parse_error("nan", LC_ERR_DATA, "expecting a value");
    char deep[2 * LC_JSON_DEPTH_MAX + 8];
    memset(deep, '[', LC_JSON_DEPTH_MAX + 1);
    memset(deep + LC_JSON_DEPTH_MAX + 1, ']', LC_JSON_DEPTH_MAX + 1);
    deep[2 * LC_JSON_DEPTH_MAX + 2] = '\0';
    expect_parse_error(deep, LC_ERR_DATA, "nesting too deep");
    /* lone surrogates become U+FFFD */
    lc_error_clear(&e);
    r = lc_json_parse("\"\\udc00\\ud800x\"", 15, "t", &e);
    CHECK(cJSON_IsString(r) && strcmp(r->valuestring, "\xef\xbf\xbd\xef\xbf\xbdx") == 0);
    cJSON_Delete(r);

    lc_error_clear(&e);
    r = lc_json_read_file("/nonexistent/x.json", &e);
    CHECK(r == NULL && e.status == LC_ERR_IO && strstr(e.msg, "/nonexistent/x.json"));
    lc_error_clear(&e);
    r = lc_json_read_file("/tmp", &e);
    CHECK(r == NULL && e.status == LC_ERR_IO && strstr(e.msg, "not a regular file"));
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *de; (de = readdir(d));)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void test_write_file(void)
{
    char path[256], bad[256];
    snprintf(path, sizeof path, "%s/out.json", tmpdir);
    snprintf(bad, sizeof bad, "%s/missing/out.json", tmpdir);
    cJSON *o = cJSON_CreateObject();
    cJSON *l = cJSON_AddArrayToObject(o, "loss");
    cJSON_AddItemToArray(l, lc_json_float(0.25));
    cJSON_AddItemToArray(l, lc_json_float(0.125));
    cJSON_AddItemToObject(o, "best", lc_json_float(INFINITY));
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_json_write_file(o, path, &e) == LC_OK);
    char *got = check_slurp(path, NULL);
    const char *want = "{\n    \"best\": Infinity,\n    \"loss\": [\n        0.25,\n        0.125\n    ]\n}";
    CHECK(got && strcmp(got, want) == 0);
    free(got);
    CHECK(count_entries(tmpdir) == 1); /* no .tmp left behind */

    /* overwrite in place, then read back: identical tree */
    cJSON_AddItemToObject(o, "n", lc_json_int(42));
    CHECK(lc_json_write_file(o, path, &e) == LC_OK);
    cJSON *back = lc_json_read_file(path, &e);
    CHECK(back != NULL);
    char *a = lc_json_print_py(o), *b = lc_json_print_py(back);
    CHECK(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);
    cJSON_Delete(back);

    lc_error_clear(&e);
    CHECK(lc_json_write_file(o, bad, &e) == LC_ERR_IO);
    CHECK(strstr(e.msg, "missing/out.json") != NULL);
    CHECK(count_entries(tmpdir) == 1);
    cJSON_Delete(o);
    unlink(path);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_repr_hand();
    test_repr_fixture();
    test_layout();
    test_numbers();
    test_escapes();
    test_python_sample();
    test_reader();
    test_write_file();
    rmdir(tmpdir);
    return check_exit("test_jsonw");
}
