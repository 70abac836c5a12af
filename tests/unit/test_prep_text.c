/* test_prep_text.c - Ludwig 0.10.3's text column preprocessing (lc_prep_tab.h, text.c) on
 * hand-worked cases, each as docs/ludwig-0.10.3-text.md describes Ludwig's code: the tokenizers
 * (space_punct splits words from punctuation, "<UNK>" becomes <, UNK, >), the vocabulary (<EOS>,
 * <SOS>, <PAD>, <UNK> at 0..3, then tokens by count with ties in order of first appearance,
 * most_common), max_sequence_length = min(longest + 2, max_sequence_length), rows
 * [<SOS>, ids, <EOS>] padded with <PAD> (right / left), truncation keeping the head, unknown
 * tokens as <UNK>, lowercase, the metadata keys, and a stored entry applied. */
#include "check.h"
#include "lc_prep_tab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int row_is(const float *got, const int *want, int n)
{
    for (int i = 0; i < n; i++)
        if (got[i] != (float)want[i])
            return 0;
    return 1;
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void test_vocab_and_rows(void)
{
    /* counts: b 3, a 2, ! 2, "don" 1, "'" 1, "t" 1, "<" 1, "UNK" 1, ">" 1 */
    const char *cells[] = {"a b!", "b a b", "don't!", NULL};
    lc_prep_column col = {"txt", cells, NULL, 4};
    lc_prep_text_opts o;
    lc_prep_text_defaults(&o);
    cJSON *pre = cJSON_CreateObject();
    lc_prep_text r;
    lc_error e = {0};
    CHECK(lc_prep_text_run(&col, &o, pre, &r, &e) == LC_OK);
    const char *want_vocab[] = {"<EOS>", "<SOS>", "<PAD>", "<UNK>", "b", "a", "!", "don", "'", "t", "<", "UNK", ">"};
    const cJSON *i2s = get(r.meta, "idx2str");
    CHECK(cJSON_GetArraySize(i2s) == 13 && r.vocab_size == 13);
    int k = 0;
    for (const cJSON *it = i2s ? i2s->child : NULL; it && k < 13; it = it->next, k++)
        CHECK_MSG(strcmp(it->valuestring, want_vocab[k]) == 0, "idx2str[%d] = %s, want %s", k,
                  it->valuestring, want_vocab[k]);
    /* the longest row has 4 tokens ("don ' t !"): width 6 */
    CHECK(r.width == 6 && get(r.meta, "max_sequence_length")->valueint == 6);
    const int r0[6] = {1, 5, 4, 6, 0, 2}, r2[6] = {1, 7, 8, 9, 6, 0}, r3[6] = {1, 10, 11, 12, 0, 2};
    CHECK(row_is(r.values, r0, 6) && row_is(r.values + 12, r2, 6) && row_is(r.values + 18, r3, 6));
    CHECK(get(get(r.meta, "str2freq"), "b")->valueint == 3);
    CHECK(get(get(r.meta, "str2freq"), "<PAD>")->valueint == 0);
    CHECK(get(r.meta, "pad_idx")->valueint == 2 && cJSON_IsNull(get(r.meta, "str2idf")));
    CHECK(strcmp(get(r.meta, "padding_symbol")->valuestring, "<PAD>") == 0);
    CHECK(get(r.meta, "prompt_template_num_tokens")->valueint == -1);
    CHECK(strcmp(get(pre, "computed_fill_value")->valuestring, "<UNK>") == 0);

    /* a stored entry: its width (4: the head kept, <EOS> cut), unknown tokens as <UNK> */
    cJSON *meta = cJSON_Duplicate(r.meta, 1);
    cJSON_ReplaceItemInObjectCaseSensitive(meta, "max_sequence_length", cJSON_CreateNumber(4));
    lc_prep_text_free(&r);
    const char *cells2[] = {"zzz a b b", "b"};
    lc_prep_column col2 = {"txt", cells2, NULL, 2};
    CHECK(lc_prep_text_apply(&col2, &o, meta, &r, &e) == LC_OK);
    const int a0[4] = {1, 3, 5, 4}, a1[4] = {1, 4, 0, 2};
    CHECK(r.width == 4 && row_is(r.values, a0, 4) && row_is(r.values + 4, a1, 4));
    lc_prep_text_free(&r);
    /* left padding right-aligns [<SOS>, ids, <EOS>] */
    o.pad_left = 1;
    CHECK(lc_prep_text_apply(&col2, &o, meta, &r, &e) == LC_OK);
    const int l1[4] = {2, 1, 4, 0};
    CHECK(row_is(r.values + 4, l1, 4));
    lc_prep_text_free(&r);
    cJSON_Delete(meta);
    cJSON_Delete(pre);
}

static void test_options(void)
{
    const char *cells[] = {"A a_b,c", "a"};
    lc_prep_column col = {"txt", cells, NULL, 2};
    lc_prep_text_opts o;
    lc_prep_text_defaults(&o);
    lc_prep_text r;
    lc_error e = {0};
    /* lowercase + space: "a", "a_b,c"; most_common 1 keeps "a" only */
    o.lowercase = 1;
    o.tokenizer = LC_TOK_SPACE;
    o.most_common = 1;
    CHECK(lc_prep_text_run(&col, &o, NULL, &r, &e) == LC_OK);
    CHECK(r.vocab_size == 5 && r.width == 4);
    const int r0[4] = {1, 4, 3, 0};
    CHECK(row_is(r.values, r0, 4));
    lc_prep_text_free(&r);
    /* comma: "A a_b", "c" */
    lc_prep_text_defaults(&o);
    o.tokenizer = LC_TOK_COMMA;
    CHECK(lc_prep_text_run(&col, &o, NULL, &r, &e) == LC_OK);
    CHECK(r.vocab_size == 4 + 3); /* "A a_b", "c", "a" */
    lc_prep_text_free(&r);
    /* characters: every character, spaces included; sequence_length fixes the width */
    o.tokenizer = LC_TOK_CHARACTERS;
    o.sequence_length = 3;
    CHECK(lc_prep_text_run(&col, &o, NULL, &r, &e) == LC_OK);
    CHECK(r.width == 3);
    CHECK(r.values[3] == 1.0f && r.values[5] == 0.0f); /* "a": <SOS>, a, <EOS> */
    lc_prep_text_free(&r);
    /* a column without tokens */
    const char *none[] = {"", "   "};
    lc_prep_column cn = {"txt", none, NULL, 2};
    lc_prep_text_defaults(&o);
    o.missing = LC_MISS_DROP_ROW;
    CHECK(lc_prep_text_run(&cn, &o, NULL, &r, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "has no tokens in any row"), "%s", e.msg);
}

/* vocab_file: its entries (stripped, cut at a space) after the four symbols, a symbol listed in
 * it moved to its index, str2freq from the data; a missing file and a repeated entry refused */
static void test_vocab_file(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/lc_test_vocab_%d.txt", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("  zebra 12\n<UNK>\nb\n", f);
    fclose(f);
    const char *cells[] = {"b a b"};
    lc_prep_column col = {"txt", cells, NULL, 1};
    lc_prep_text_opts o;
    lc_prep_text_defaults(&o);
    o.vocab_file = path;
    lc_prep_text r;
    lc_error e = {0};
    CHECK(lc_prep_text_run(&col, &o, NULL, &r, &e) == LC_OK);
    const cJSON *i2s = get(r.meta, "idx2str");
    const char *want[] = {"<EOS>", "<SOS>", "<PAD>", "<UNK>", "zebra", "b"};
    CHECK(cJSON_GetArraySize(i2s) == 6);
    for (int k = 0; k < 6 && k < cJSON_GetArraySize(i2s); k++)
        CHECK_MSG(strcmp(cJSON_GetArrayItem(i2s, k)->valuestring, want[k]) == 0, "idx2str[%d]", k);
    CHECK(get(get(r.meta, "str2freq"), "b")->valueint == 2 && get(get(r.meta, "str2freq"), "zebra")->valueint == 0);
    const int r0[5] = {1, 5, 3, 5, 0}; /* a is not in the file: <UNK> */
    CHECK(r.width == 5 && row_is(r.values, r0, 5));
    lc_prep_text_free(&r);
    f = fopen(path, "w");
    fputs("a\nb\na x\n", f);
    fclose(f);
    CHECK(lc_prep_text_run(&col, &o, NULL, &r, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "line 3: 'a' is listed twice"), "%s", e.msg);
    remove(path);
    lc_error_clear(&e);
    CHECK(lc_prep_text_run(&col, &o, NULL, &r, &e) == LC_ERR_IO);
    CHECK_MSG(strstr(e.msg, "cannot open it") && strstr(e.msg, path), "%s", e.msg);
}

/* a GloVe file: the first line's size; each vocabulary word's vector; others the average plus at
 * most 0.01; a value that is not a number refused with its line */
static void test_glove(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/lc_test_glove_%d.txt", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("\nb 1 2\nzz 9 9\nb 5 5\n<UNK> -1 0\n", f);
    fclose(f);
    int dim = 0;
    lc_error e = {0};
    CHECK(lc_glove_dim(path, &dim, &e) == LC_OK && dim == 2);
    cJSON *i2s = cJSON_Parse("[\"<EOS>\", \"<SOS>\", \"<PAD>\", \"<UNK>\", \"b\"]");
    float w[10];
    CHECK(lc_glove_fill(path, i2s, 2, w, 7, &e) == LC_OK);
    CHECK(w[8] == 1.0f && w[9] == 2.0f && w[6] == -1.0f && w[7] == 0.0f); /* the first "b" */
    CHECK(fabsf(w[0] - 0.0f) <= 0.0100001f && fabsf(w[1] - 1.0f) <= 0.0100001f);
    f = fopen(path, "w");
    fputs("b 1 2\n<UNK> 3 x\n", f);
    fclose(f);
    CHECK(lc_glove_fill(path, i2s, 2, w, 7, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "line 2: value 2 is not a number"), "%s", e.msg);
    remove(path);
    cJSON_Delete(i2s);
}

/* set and bag columns: a set's vocabulary has only <UNK>, moved to index 3 (appended when there
 * are fewer than 3 tokens), rows of distinct ids ascending with the id as weight; a bag keeps the
 * four symbols and counts; cells are mapped without lowercasing (only the vocabulary is built
 * from lowercased cells), so "B" is unknown; a stored entry applied with a longer row. */
static void test_set_bag(void)
{
    /* counts (lowercased): b 4, a 2, c 1 */
    const char *cells[] = {"a b b", "b c", "a", "B"};
    lc_prep_column col = {"s", cells, NULL, 4};
    lc_prep_text_opts o;
    lc_prep_text_defaults(&o);
    o.kind = LC_SEQ_SET;
    o.tokenizer = LC_TOK_SPACE;
    o.lowercase = 1;
    cJSON *pre = cJSON_CreateObject();
    lc_prep_text r;
    lc_error e = {0};
    CHECK(lc_prep_text_run(&col, &o, pre, &r, &e) == LC_OK);
    const char *want[] = {"b", "a", "c", "<UNK>"};
    const cJSON *i2s = get(r.meta, "idx2str");
    CHECK(cJSON_GetArraySize(i2s) == 4 && r.vocab_size == 4);
    int k = 0;
    for (const cJSON *it = i2s ? i2s->child : NULL; it && k < 4; it = it->next, k++)
        CHECK_MSG(strcmp(it->valuestring, want[k]) == 0, "set idx2str[%d] = %s, want %s", k,
                  it->valuestring, want[k]);
    CHECK(get(r.meta, "max_set_size")->valueint == 5 && get(r.meta, "vocab_size")->valueint == 4);
    CHECK(get(get(r.meta, "str2freq"), "b")->valueint == 4);
    CHECK(!get(r.meta, "pad_idx") && !get(r.meta, "max_sequence_length"));
    /* W = 2 (the most distinct ids of a row): ids then weights (the ids) */
    CHECK(r.width == 4);
    const int s0[4] = {0, 1, 0, 1}, s1[4] = {0, 2, 0, 2}, s2[4] = {1, -1, 1, 0}, s3[4] = {3, -1, 3, 0};
    CHECK(row_is(r.values, s0, 4) && row_is(r.values + 4, s1, 4) && row_is(r.values + 8, s2, 4) &&
          row_is(r.values + 12, s3, 4));
    /* applied: a row with three distinct tokens widens the rows; "d" is unknown */
    const char *cells2[] = {"c a d"};
    lc_prep_column col2 = {"s", cells2, NULL, 1};
    lc_prep_text a;
    CHECK(lc_prep_text_apply(&col2, &o, r.meta, &a, &e) == LC_OK);
    const int t0[6] = {1, 2, 3, 1, 2, 3};
    CHECK(a.width == 6 && row_is(a.values, t0, 6));
    lc_prep_text_free(&a);
    lc_prep_text_free(&r);
    cJSON_Delete(pre);

    /* a bag: the four symbols first, counts as weights */
    o.kind = LC_SEQ_BAG;
    o.lowercase = 0;
    pre = cJSON_CreateObject();
    CHECK(lc_prep_text_run(&col, &o, pre, &r, &e) == LC_OK);
    CHECK(r.vocab_size == 8 && strcmp(cJSON_GetArrayItem(get(r.meta, "idx2str"), 4)->valuestring, "b") == 0);
    const int b0[4] = {4, 5, 2, 1};
    CHECK(r.width == 4 && row_is(r.values, b0, 4));
    lc_prep_text_free(&r);
    cJSON_Delete(pre);

    /* a column without tokens */
    const char *blank[] = {" ", "  "};
    lc_prep_column cb = {"s", blank, NULL, 2};
    o.kind = LC_SEQ_SET;
    pre = cJSON_CreateObject();
    CHECK(lc_prep_text_run(&cb, &o, pre, &r, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "set column 's' has no tokens in any row"), "%s", e.msg);
    cJSON_Delete(pre);
}

/* the ngram tokenizer: the space pieces, then each pair of neighbouring pieces of str.split(" ")
 * joined by a space, empty pieces included (torchtext's ngrams_iterator with n = 2): "the cat  sat"
 * gives the, cat, sat, "the cat", "cat ", " sat" */
static void test_ngram(void)
{
    const char *cells[] = {"the cat  sat", "the cat"};
    lc_prep_column col = {"t", cells, NULL, 2};
    lc_prep_text_opts o;
    lc_prep_text_defaults(&o);
    o.tokenizer = LC_TOK_NGRAM;
    cJSON *pre = cJSON_CreateObject();
    lc_prep_text r;
    lc_error e = {0};
    CHECK(lc_prep_text_run(&col, &o, pre, &r, &e) == LC_OK);
    const char *want[] = {"<EOS>", "<SOS>", "<PAD>", "<UNK>", "the", "cat", "the cat", "sat", "cat ", " sat"};
    const cJSON *i2s = get(r.meta, "idx2str");
    CHECK(cJSON_GetArraySize(i2s) == 10);
    int k = 0;
    for (const cJSON *it = i2s ? i2s->child : NULL; it && k < 10; it = it->next, k++)
        CHECK_MSG(strcmp(it->valuestring, want[k]) == 0, "ngram idx2str[%d] = '%s', want '%s'", k,
                  it->valuestring, want[k]);
    const int r0[8] = {1, 4, 5, 7, 6, 8, 9, 0}, r1[8] = {1, 4, 5, 6, 0, 2, 2, 2};
    CHECK(r.width == 8 && row_is(r.values, r0, 8) && row_is(r.values + 8, r1, 8));
    lc_prep_text_free(&r);
    cJSON_Delete(pre);
}

int main(void)
{
    test_vocab_and_rows();
    test_options();
    test_vocab_file();
    test_glove();
    test_set_bag();
    test_ngram();
    return check_exit("test_prep_text");
}
