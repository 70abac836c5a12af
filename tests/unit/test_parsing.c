/* test_parsing.c - hostile inputs (issue 18): the hashed string index and SipHash (lc_strtab.h)
 * against the paper's vectors and a plain scan; the UTF-8 check against Python's strict decoder's
 * verdicts; tables refusing invalid UTF-8 and NUL (CSV, TSV, JSON, JSON Lines) with the line, the
 * row, the column and the offset; the JSON cell bound; wide tables and big YAML mappings (their
 * duplicate checks and lookups); and a literal "<UNK>" label kept by most_common. */
#include "check.h"
#include "lc_error.h"
#include "lc_prep_tab.h"
#include "lc_strtab.h"
#include "lc_table.h"
#include "lc_yaml.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SipHash and the index ---------------------------------------------------------------- */

static void test_siphash(void)
{
    /* SipHash-2-4 of the paper (Aumasson, Bernstein 2012), key 00..0f: the empty message
     * (vectors.h entry 0) and the 15 bytes 00..0e (appendix A) */
    const uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
    unsigned char m[15];
    for (int i = 0; i < 15; i++)
        m[i] = (unsigned char)i;
    CHECK(lc_siphash(k0, k1, m, 0, 2, 4) == 0x726fdb47dd0e0e31ULL);
    CHECK(lc_siphash(k0, k1, m, 15, 2, 4) == 0xa129ca6149be45e5ULL);
    /* the key changes the hash; 1-3 differs from 2-4 */
    CHECK(lc_siphash(k0 + 1, k1, m, 15, 2, 4) != 0xa129ca6149be45e5ULL);
    CHECK(lc_siphash(k0, k1, m, 15, 1, 3) != lc_siphash(k0, k1, m, 15, 2, 4));
}

typedef struct names {
    char *buf; /* moves as it grows, as a table's arena does */
    size_t *off, n, len, cap;
} names;

static const char *name_at(const void *ctx, size_t i)
{
    const names *s = ctx;
    return s->buf + s->off[i];
}

static void names_push(names *s, const char *str)
{
    size_t l = strlen(str) + 1;
    if (s->len + l > s->cap) {
        s->cap = (s->len + l) * 2;
        s->buf = realloc(s->buf, s->cap);
    }
    s->off = realloc(s->off, (s->n + 1) * sizeof *s->off);
    memcpy(s->buf + s->len, str, l);
    s->off[s->n++] = s->len;
    s->len += l;
}

static void test_strtab(void)
{
    names s = {0};
    lc_strtab t;
    lc_strtab_init(&t, name_at, &s);
    CHECK(lc_strtab_find(&t, "a", 1) == -1);
    const int N = 100000;
    char b[32];
    int bad = 0;
    for (int i = 0; i < N; i++) {
        snprintf(b, sizeof b, "k%d", i);
        names_push(&s, b);
        size_t prev = 99;
        bad += lc_strtab_add(&t, (size_t)i, &prev) != 0 || prev != 99;
    }
    CHECK(bad == 0);
    CHECK(t.n == (size_t)N && t.cap >= 2 * t.n);
    for (int i = 0; i < N; i += 7) {
        snprintf(b, sizeof b, "k%d", i);
        bad += lc_strtab_find(&t, b, strlen(b)) != i;
    }
    CHECK(bad == 0);
    CHECK(lc_strtab_find(&t, "k1", 1) == -1);  /* a prefix of len bytes: "k" */
    CHECK(lc_strtab_find(&t, "k12", 2) == 1);  /* "k1" */
    CHECK(lc_strtab_find(&t, "k100000", 7) == -1);
    /* a repeat is reported with the first position and not added */
    names_push(&s, "k77");
    size_t prev = 0;
    CHECK(lc_strtab_add(&t, (size_t)N, &prev) == 1 && prev == 77 && t.n == (size_t)N);
    /* the empty string is a string like any other */
    names_push(&s, "");
    CHECK(lc_strtab_add(&t, (size_t)N + 1, &prev) == 0 && lc_strtab_find(&t, "", 0) == N + 1);
    lc_strtab_free(&t);
    free(s.buf);
    free(s.off);
}

/* ---- UTF-8 -------------------------------------------------------------------------------- */

static void test_utf8(void)
{
    static const struct {
        const char *s;
        size_t at; /* where Python's bytes.decode("utf-8") fails; strlen(s) when it does not */
    } v[] = {
        {"", 0},
        {"plain ascii, longer than eight bytes", 36},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbb\xbf", 18},
        {"\xed\x9f\xbf \xee\x80\x80 \xf4\x8f\xbf\xbf", 12}, /* U+D7FF, U+E000, U+10FFFF */
        {"ab\xff", 2},
        {"ab\xfe", 2},
        {"\x80", 0},                 /* a lone continuation byte */
        {"x\xc0\x80", 1},            /* overlong NUL */
        {"\xc1\xbf", 0},             /* overlong */
        {"\xe0\x9f\xbf", 0},         /* overlong 3-byte */
        {"\xed\xa0\x80", 0},         /* a surrogate (U+D800) */
        {"\xf0\x8f\xbf\xbf", 0},     /* overlong 4-byte */
        {"\xf4\x90\x80\x80", 0},     /* above U+10FFFF */
        {"\xf5\x80\x80\x80", 0},
        {"12345678\xc3", 8},         /* truncated at the end, after a fast-path word */
        {"\xe2\x82", 0},             /* truncated */
        {"\xe2\x82x", 0},            /* bad continuation */
        {"\xf0\x9f\x98", 0},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        size_t got = lc_utf8_invalid(v[i].s, strlen(v[i].s));
        CHECK_MSG(got == v[i].at, "case %zu: %zu, want %zu", i, got, v[i].at);
    }
}

/* ---- tables ------------------------------------------------------------------------------- */

static void expect_refused(const char *name, const char *data, size_t len, const char *want)
{
    lc_table *t = NULL;
    lc_error e;
    lc_error_clear(&e);
    lc_status st = lc_table_parse(data, len, LC_TABLE_AUTO, name, &t, &e);
    CHECK_MSG(st == LC_ERR_DATA && !t, "%s: status %s", name, lc_status_name(st));
    CHECK_MSG(strstr(e.msg, want) != NULL, "%s: message '%s' lacks '%s'", name, e.msg, want);
    lc_table_free(t);
}

#define REFUSED(name, lit, want) expect_refused(name, lit, sizeof lit - 1, want)

static void test_table_text(void)
{
    REFUSED("a.csv", "x,y\n1,a\n2,b\n3,\xff\n", "a.csv: line 4 (row 3, column 2 'y'): byte 0xff at byte 0 of the value is not UTF-8");
    REFUSED("b.csv", "x,y\n1,\"multi\nline \xfe\"\n", "b.csv: line 3 (row 1, column 2 'y'): byte 0xfe at byte 11 of the value is not UTF-8");
    REFUSED("h.csv", "x,\xc3(\n1,2\n", "h.csv: line 1 (column 2 of the header): byte 0xc3 at byte 0 of the column name is not UTF-8");
    REFUSED("c.tsv", "x\ty\n1\tab\xed\xa0\x80\n", "c.tsv: line 2 (row 1, column 2 'y'): byte 0xed at byte 2 of the value is not UTF-8");
    REFUSED("n.csv", "x,y\n1,\"a\n\0b\"\n", "n.csv: line 3: a field contains a NUL byte (row 1, column 2 'y', byte 2 of the value)");
    REFUSED("d.jsonl", "{\"x\": 1, \"y\": \"a\"}\n\n{\"x\": 2, \"y\": \"b\xff\"}\n",
            "d.jsonl: record 2 (line 3), key 'y': byte 0xff at byte 1 of the value is not UTF-8");
    REFUSED("e.json", "[{\"x\": 1, \"y\": \"a\"},\n {\"x\": 2, \"y\\u00e9\xfe\": \"c\"}]",
            "e.json: record 2 (line 2): byte 0xfe at byte 7 of a key is not UTF-8");
    REFUSED("f.jsonl", "{\"x\": 1, \"y\": \"a\\u0000b\"}\n",
            "f.jsonl: record 1 (line 1), key 'y': the value holds a NUL character (\\u0000) at byte 1");
    REFUSED("g.json", "[{\"x\": 1, \"y\": \"a\"}, {\"x\": 2, \"y\": [\"q\", \"a\\u0000\"]}]",
            "g.json: record 2 (line 1), key 'y': the value holds a NUL character (\\u0000) at byte 1");
    REFUSED("k.jsonl", "{\"x\": 1, \"a\\u0000b\": \"a\"}\n", "k.jsonl: record 1 (line 1): a key holds a NUL character");
    /* an escaped backslash before u0000 is text, not a NUL; \u00e9 and raw UTF-8 are fine */
    const char ok[] = "{\"x\": 1, \"y\": \"a\\\\u0000 \\u00e9 \xc3\xa9\"}\n";
    lc_table *t = NULL;
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_table_parse(ok, sizeof ok - 1, LC_TABLE_AUTO, "ok.jsonl", &t, &e) == LC_OK);
    if (t) {
        CHECK(strcmp(lc_table_cell(t, 0, 1), "a\\u0000 \xc3\xa9 \xc3\xa9") == 0);
        lc_table_free(t);
    }
}

static void test_wide(void)
{
    /* 100,000 columns: the header's duplicate check and every lookup are hashed */
    const int N = 100000;
    size_t cap = (size_t)N * 24 + 64, len = 0;
    char *csv = malloc(cap);
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(csv + len, cap - len, "%sc%d", i ? "," : "", i);
    csv[len++] = '\n';
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(csv + len, cap - len, "%s%d", i ? "," : "", i % 10);
    csv[len++] = '\n';
    lc_table *t = NULL;
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_table_parse(csv, len, LC_TABLE_CSV, "wide.csv", &t, &e) == LC_OK);
    if (t) {
        CHECK(lc_table_ncols(t) == N && lc_table_nrows(t) == 1);
        CHECK(lc_table_col(t, "c0") == 0 && lc_table_col(t, "c99999") == N - 1 && lc_table_col(t, "c") == -1);
        CHECK(strcmp(lc_table_cell(t, 0, lc_table_col(t, "c12345")), "5") == 0);
        lc_table_free(t);
    }
    /* a repeated name: the first repeat, with the column it repeats */
    memcpy(csv + strlen("c0,c1,c2,"), "c1", 2); /* "c3" -> "c1" */
    lc_error_clear(&e);
    CHECK(lc_table_parse(csv, len, LC_TABLE_CSV, "dup.csv", &t, &e) == LC_ERR_DATA && !t);
    CHECK_MSG(strstr(e.msg, "duplicate column name 'c1' (columns 2 and 4)") != NULL, "%s", e.msg);
    free(csv);
}

static void test_json_bound(void)
{
    /* records with a key each: the table would be records x keys cells */
    size_t n = 3000, cap = n * 32, len = 0;
    char *j = malloc(cap);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(j + len, cap - len, "{\"y\":%zu,\"k%zu\":1}\n", i, i);
    lc_table *t = NULL;
    lc_error e;
    lc_error_clear(&e);
    /* 3000 x 3001 cells: over 4194304 and over the file's bytes */
    CHECK(lc_table_parse(j, len, LC_TABLE_JSON, "keys.jsonl", &t, &e) == LC_ERR_DATA && !t);
    CHECK_MSG(strstr(e.msg, "keys.jsonl: 3000 records with 3001 distinct keys between them make a table of 3000 x 3001 cells, over the limit of 4194304 cells") != NULL,
              "%s", e.msg);
    /* 2000 x 2001 is within the floor: read, missing keys empty */
    len = 0;
    for (size_t i = 0; i < 2000; i++)
        len += (size_t)snprintf(j + len, cap - len, "{\"y\":%zu,\"k%zu\":1}\n", i, i);
    lc_error_clear(&e);
    CHECK(lc_table_parse(j, len, LC_TABLE_JSON, "keys.jsonl", &t, &e) == LC_OK);
    if (t) {
        CHECK(lc_table_ncols(t) == 2001 && lc_table_nrows(t) == 2000);
        CHECK(lc_table_col(t, "k1999") == 2000 && strcmp(lc_table_cell(t, 1999, 2000), "1") == 0 &&
              strcmp(lc_table_cell(t, 0, 2000), "") == 0);
        lc_table_free(t);
    }
    free(j);
}

/* ---- YAML --------------------------------------------------------------------------------- */

static void test_yaml_keys(void)
{
    const int N = 100000;
    size_t cap = (size_t)N * 24 + 64, len = 0;
    char *y = malloc(cap);
    len += (size_t)snprintf(y + len, cap - len, "m:\n");
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(y + len, cap - len, "  k%d: %d\n", i, i);
    lc_ynode *root = NULL;
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_yaml_parse(y, len, "big.yaml", &root, &e) == LC_OK);
    const lc_ynode *m = lc_ymap_get(root, "m");
    CHECK(m && m->n == (size_t)N);
    const lc_ynode *v = lc_ymap_get(m, "k99999");
    CHECK(v && strcmp(v->str, "99999") == 0);
    lc_ynode_free(root);
    /* the duplicate message is the one of the linear scan: its line and the first one's */
    len += (size_t)snprintf(y + len, cap - len, "  k5: again\n");
    lc_error_clear(&e);
    CHECK(lc_yaml_parse(y, len, "big.yaml", &root, &e) == LC_ERR_CONFIG && !root);
    CHECK_MSG(strstr(e.msg, "big.yaml:100002:3: duplicate key 'k5' (first given at line 7)") != NULL, "%s", e.msg);
    free(y);
    /* keys in different maps do not clash; a nested map has its own */
    const char ok[] = "a:\n  x: 1\nb:\n  x: 2\n  a: {x: 3, y: 4}\n";
    lc_error_clear(&e);
    CHECK(lc_yaml_parse(ok, sizeof ok - 1, "ok.yaml", &root, &e) == LC_OK);
    lc_ynode_free(root);
    const char dup[] = "a:\n  x: 1\n  y: {p: 1, p: 2}\n";
    lc_error_clear(&e);
    CHECK(lc_yaml_parse(dup, sizeof dup - 1, "dup.yaml", &root, &e) == LC_ERR_CONFIG);
    CHECK_MSG(strstr(e.msg, "dup.yaml:3:13: duplicate key 'p' (first given at line 3)") != NULL, "%s", e.msg);
}

/* ---- category: a literal <UNK> kept by most_common ---------------------------------------- */

static void unk_case(int is_input, const char *want_idx2str, const char *want_str2idx, size_t want_vocab)
{
    /* value_counts: <UNK> 4, a 3, b 2, c 1; most_common 2 keeps <UNK> and a */
    static const char *cells[] = {"<UNK>", "a", "<UNK>", "b", "a", "<UNK>", "c", "a", "b", " <UNK> "};
    lc_prep_column col = {"y", cells, NULL, sizeof cells / sizeof *cells};
    lc_prep_category_opts o;
    lc_prep_category_defaults(&o, is_input);
    o.most_common = 2;
    lc_prep_category r;
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_prep_category_run(&col, &o, NULL, &r, &e) == LC_OK);
    if (!r.meta)
        return;
    char *i2s = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r.meta, "idx2str"));
    char *s2i = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r.meta, "str2idx"));
    CHECK_MSG(strcmp(i2s, want_idx2str) == 0, "idx2str %s, want %s", i2s, want_idx2str);
    CHECK_MSG(strcmp(s2i, want_str2idx) == 0, "str2idx %s, want %s", s2i, want_str2idx);
    CHECK(r.vocab_size == want_vocab);
    /* the literal and an unknown value land in the same class */
    CHECK(lc_prep_category_index(&r, "<UNK>") == lc_prep_category_index(&r, "zzz"));
    CHECK(r.values[0] == r.fallback_idx && r.values[6] == r.fallback_idx);
    free(i2s);
    free(s2i);
    lc_prep_category_free(&r);
}

static void test_category_unk(void)
{
    /* an input: Ludwig's vocabulary exactly ([<UNK>] + the top 2, "<UNK>" listed twice) */
    unk_case(1, "[\"<UNK>\",\"<UNK>\",\"a\"]", "{\"<UNK>\":1,\"a\":2}", 2);
    /* an output's classes: str2idx's keys, each once, vocab_size of them */
    unk_case(0, "[\"<UNK>\",\"a\"]", "{\"<UNK>\":0,\"a\":1}", 2);
}

/* A vocabulary of 200,000 labels: str2idx/str2freq written in linear time, and right. */
static void test_category_big(void)
{
    const size_t N = 200000;
    char **cells = malloc(N * sizeof *cells);
    for (size_t i = 0; i < N; i++) {
        cells[i] = malloc(16);
        snprintf(cells[i], 16, "L%zu", i < 10 ? 0 : i); /* L0 ten times, then one each */
    }
    lc_prep_column col = {"y", (const char *const *)cells, NULL, N};
    lc_prep_category_opts o;
    lc_prep_category_defaults(&o, 1);
    o.most_common = 1000000;
    lc_prep_category r;
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_prep_category_run(&col, &o, NULL, &r, &e) == LC_OK);
    if (r.meta) {
        const cJSON *s2i = cJSON_GetObjectItemCaseSensitive(r.meta, "str2idx");
        CHECK(r.n_idx2str == N - 9 && cJSON_GetArraySize(s2i) == (int)(N - 9));
        CHECK(strcmp(s2i->child->string, "L0") == 0 && s2i->child->valueint == 0);
        CHECK(cJSON_GetObjectItemCaseSensitive(s2i, "L199999")->valueint == (int)(N - 10));
        CHECK(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r.meta, "str2freq"), "L0")->valueint == 10);
        /* and read back from the metadata */
        lc_prep_category b;
        CHECK(lc_prep_category_from_meta(r.meta, "y", &b, &e) == LC_OK);
        CHECK(b.n_idx2str == r.n_idx2str && b.freq[0] == 10 && b.freq[N - 10] == 1);
        lc_prep_category_free(&b);
    }
    lc_prep_category_free(&r);
    for (size_t i = 0; i < N; i++)
        free(cells[i]);
    free(cells);
}

int main(void)
{
    test_siphash();
    test_strtab();
    test_utf8();
    test_table_text();
    test_wide();
    test_json_bound();
    test_yaml_keys();
    test_category_unk();
    test_category_big();
    return check_exit("test_parsing");
}
