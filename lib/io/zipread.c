/* zipread.c - image sources: files under a directory, or entries of a zip archive read in memory
 * with libzip (never extracted to disk).
 *
 * A libzip handle is not thread-safe, so a zip source keeps one handle per reader slot, opened
 * lazily by the slot's own thread. Decoding is left to image.c; which paths to read and the row
 * numbers in messages are left to the callers.
 *
 * An archive may hold one name twice. libzip finds the first; extracting the archive (upstream's
 * way, Python's zipfile) leaves the last, which overwrote the others. The names held more than
 * once are found when the archive is opened (one sort) and read from their last entry.
 */
#include "lc_image.h"

#include "lc_mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

struct lc_image_source {
    char *dir;        /* directory source: base directory ("" = current), else NULL */
    char *zip_path;   /* zip source: the archive */
    const char *name; /* for messages: the zip's base name or the directory */
    char *prefix;     /* zip: the single top-level folder shared by all entries ("x/"), or NULL */
    zip_t **zips;     /* zip: (nslots) handles, NULL until first use; [0] opened at open */
    int nslots;
    struct zip_dup {  /* names held more than once, sorted, with their last entry */
        char *name;
        zip_int64_t last;
    } *dups;
    size_t ndups;
};

const char *lc_image_source_name(const lc_image_source *s)
{
    return s->name;
}

void lc_image_source_close(lc_image_source *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nslots; i++)
        if (s->zips && s->zips[i])
            zip_discard(s->zips[i]);
    free(s->zips);
    for (size_t i = 0; i < s->ndups; i++)
        free(s->dups[i].name);
    free(s->dups);
    free(s->prefix);
    free(s->dir);
    free(s->zip_path);
    free(s);
}

lc_status lc_image_source_open_dir(const char *base_dir, lc_image_source **out, lc_error *e)
{
    *out = NULL;
    lc_image_source *s = calloc(1, sizeof *s);
    if (!s || !(s->dir = lc_strdup(base_dir ? base_dir : ""))) {
        free(s);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory opening the image directory");
    }
    s->name = s->dir[0] ? s->dir : ".";
    s->nslots = 1;
    if (s->dir[0]) {
        struct stat sb;
        int bad = stat(s->dir, &sb) != 0;
        if (bad || !S_ISDIR(sb.st_mode)) {
            lc_status st = lc_error_set(e, LC_ERR_IO, "image directory '%s' cannot be used: %s", s->dir,
                                        bad ? strerror(errno) : "not a directory");
            lc_image_source_close(s);
            return st;
        }
    }
    *out = s;
    return LC_OK;
}

static zip_t *open_zip(const char *path, lc_error *e)
{
    int code = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &code);
    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        lc_error_set(e, LC_ERR_DATA, "%s: cannot open the image archive: %s", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
    }
    return z;
}

/* The folder every entry lives under ("dir/"), if there is exactly one; else NULL. */
static char *common_top_folder(zip_t *z)
{
    zip_int64_t n = zip_get_num_entries(z, 0);
    const char *first = NULL;
    size_t plen = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        if (!name)
            return NULL;
        if (!first) {
            const char *slash = strchr(name, '/');
            if (!slash || slash == name)
                return NULL;
            first = name;
            plen = (size_t)(slash - name) + 1;
        } else if (strncmp(name, first, plen) != 0) {
            return NULL;
        }
    }
    /* a folder named ".." (or "x:") is never used to resolve paths */
    if (!first || (plen == 3 && first[0] == '.' && first[1] == '.') || (plen == 3 && first[1] == ':'))
        return NULL;
    return lc_strndup(first, plen);
}

typedef struct {
    const char *name;
    zip_int64_t idx;
} zip_name_ix;

static int cmp_name_ix(const void *a, const void *b)
{
    const zip_name_ix *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_dup(const void *key, const void *d)
{
    return strcmp(key, ((const struct zip_dup *)d)->name);
}

/* s->dups: every name held by more than one entry, with the last of them */
static lc_status find_duplicates(lc_image_source *s, lc_error *e)
{
    zip_t *z = s->zips[0];
    zip_int64_t n = zip_get_num_entries(z, 0);
    if (n < 2)
        return LC_OK;
    zip_name_ix *v = malloc((size_t)n * sizeof *v);
    if (!v)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory indexing %s", s->name);
    zip_int64_t m = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        if (name)
            v[m++] = (zip_name_ix){name, i};
    }
    qsort(v, (size_t)m, sizeof *v, cmp_name_ix);
    lc_status st = LC_OK;
    for (zip_int64_t i = 0; i + 1 < m && !st; i++) {
        if (strcmp(v[i].name, v[i + 1].name) != 0)
            continue;
        zip_int64_t j = i + 1;
        while (j + 1 < m && strcmp(v[j + 1].name, v[i].name) == 0)
            j++;
        struct zip_dup *d = s->dups;
        if ((s->ndups & (s->ndups - 1)) == 0) /* 0, 1, 2, 4, ...: double */
            d = realloc(s->dups, (s->ndups ? 2 * s->ndups : 1) * sizeof *d);
        char *nm = d ? lc_strdup(v[i].name) : NULL;
        if (d)
            s->dups = d;
        if (!nm) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory indexing %s", s->name);
            break;
        }
        s->dups[s->ndups++] = (struct zip_dup){nm, v[j].idx};
        i = j;
    }
    free(v);
    return st;
}

lc_status lc_image_source_open_zip(const char *zip_path, lc_image_source **out, lc_error *e)
{
    *out = NULL;
    lc_status st = LC_OK;
    lc_image_source *s = calloc(1, sizeof *s);
    if (!s || !(s->zip_path = lc_strdup(zip_path)) || !(s->zips = calloc(1, sizeof *s->zips))) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory opening %s", zip_path);
        goto close_source;
    }
    s->nslots = 1;
    const char *slash = strrchr(s->zip_path, '/');
    s->name = slash ? slash + 1 : s->zip_path;
    struct stat sb;
    if (stat(zip_path, &sb) != 0) {
        st = lc_error_set(e, LC_ERR_IO, "%s: cannot open the image archive: %s", zip_path, strerror(errno));
        goto close_source;
    }
    if (!(s->zips[0] = open_zip(zip_path, e))) {
        st = e ? e->status : LC_ERR_DATA;
        goto close_source;
    }
    s->prefix = common_top_folder(s->zips[0]);
    if ((st = find_duplicates(s, e)))
        goto close_source;
    *out = s;
    return LC_OK;
close_source:
    lc_image_source_close(s);
    return st;
}

lc_status lc_image_source_reserve(lc_image_source *s, int nslots, lc_error *e)
{
    if (nslots <= s->nslots)
        return LC_OK;
    if (s->zips) {
        zip_t **z = lc_realloc_array(s->zips, (size_t)nslots, sizeof *z);
        if (!z)
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory preparing %d readers of %s", nslots, s->name);
        for (int i = s->nslots; i < nslots; i++)
            z[i] = NULL;
        s->zips = z;
    }
    s->nslots = nslots;
    return LC_OK;
}

/* Read a whole regular file, refusing sizes over LC_IMAGE_ENTRY_MAX. */
static lc_status read_dir_file(const lc_image_source *s, const char *path, unsigned char **bytes,
                               size_t *len, lc_error *e)
{
    char *full = NULL;
    const char *p = path;
    lc_status st = LC_OK;
    if (path[0] != '/' && s->dir[0]) {
        size_t n = strlen(s->dir) + strlen(path) + 2;
        if (!(full = malloc(n)))
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory reading image '%s'", path);
        snprintf(full, n, "%s/%s", s->dir, path);
        p = full;
    }
    FILE *f = fopen(p, "rb");
    if (!f) {
        if (errno == ENOENT)
            st = lc_error_set(e, LC_ERR_DATA, "image '%s' not found (looked for %s)", path, p);
        else
            st = lc_error_set(e, LC_ERR_IO, "image '%s': cannot open %s: %s", path, p, strerror(errno));
        goto free_path;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = lc_error_set(e, LC_ERR_DATA, "image '%s': %s is not a regular file", path, p);
        goto close_file;
    }
    if ((unsigned long long)sb.st_size > LC_IMAGE_ENTRY_MAX) {
        st = lc_error_set(e, LC_ERR_DATA, "image '%s' is %lld bytes; images over %zu bytes are not supported",
                          path, (long long)sb.st_size, LC_IMAGE_ENTRY_MAX);
        goto close_file;
    }
    size_t n = (size_t)sb.st_size;
    unsigned char *b = malloc(n ? n : 1);
    if (!b) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory reading image '%s'", path);
        goto close_file;
    }
    if (n && fread(b, 1, n, f) != n) {
        free(b);
        st = lc_error_set(e, LC_ERR_IO, "image '%s': read error on %s", path, p);
        goto close_file;
    }
    *bytes = b;
    *len = n;
close_file:
    fclose(f);
free_path:
    free(full);
    return st;
}

/* Refuse names that could escape a directory if someone did extract them. */
static int unsafe_entry_name(const char *name)
{
    if (name[0] == '/' || name[0] == '\\' || (name[0] && name[1] == ':'))
        return 1;
    for (const char *c = name; *c;) {
        const char *end = c;
        while (*end && *end != '/' && *end != '\\')
            end++;
        if (end - c == 2 && c[0] == '.' && c[1] == '.')
            return 1;
        c = *end ? end + 1 : end;
    }
    return 0;
}

/* name's entry: its last one when the archive holds the name more than once */
static zip_int64_t locate_one(const lc_image_source *s, zip_t *z, const char *name)
{
    zip_int64_t idx = zip_name_locate(z, name, 0);
    if (idx >= 0 && s->ndups) {
        const struct zip_dup *d = bsearch(name, s->dups, s->ndups, sizeof *s->dups, cmp_dup);
        if (d)
            idx = d->last;
    }
    return idx;
}

static zip_int64_t locate(const lc_image_source *s, zip_t *z, const char *name)
{
    zip_int64_t idx = locate_one(s, z, name);
    if (idx < 0 && s->prefix) {
        size_t n = strlen(s->prefix) + strlen(name) + 1;
        char *full = malloc(n);
        if (full) {
            snprintf(full, n, "%s%s", s->prefix, name);
            idx = locate_one(s, z, full);
            free(full);
        }
    }
    return idx;
}

static lc_status read_zip_entry(lc_image_source *s, int slot, const char *path, unsigned char **bytes,
                                size_t *len, lc_error *e)
{
    const char *name = path;
    while (name[0] == '.' && name[1] == '/')
        name += 2;
    if (unsafe_entry_name(name))
        return lc_error_set(e, LC_ERR_DATA,
                            "image path '%s' is absolute or contains '..'; paths inside %s must be relative to the archive root",
                            path, s->name);
    if (!s->zips[slot] && !(s->zips[slot] = open_zip(s->zip_path, e)))
        return e ? e->status : LC_ERR_DATA;
    zip_t *z = s->zips[slot];
    zip_int64_t idx = locate(s, z, name);
    if (idx < 0)
        return lc_error_set(e, LC_ERR_DATA, "image '%s' not found in %s", path, s->name);
    zip_stat_t zs;
    zip_stat_init(&zs);
    if (zip_stat_index(z, (zip_uint64_t)idx, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE))
        return lc_error_set(e, LC_ERR_DATA, "image '%s' in %s: cannot read its size: %s", path, s->name,
                            zip_strerror(z));
    if (zs.size > LC_IMAGE_ENTRY_MAX)
        return lc_error_set(e, LC_ERR_DATA, "image '%s' in %s is %llu bytes; images over %zu bytes are not supported",
                            path, s->name, (unsigned long long)zs.size, LC_IMAGE_ENTRY_MAX);
    size_t n = (size_t)zs.size;
    unsigned char *b = malloc(n ? n : 1);
    if (!b)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory reading image '%s'", path);
    lc_status st = LC_OK;
    zip_file_t *zf = zip_fopen_index(z, (zip_uint64_t)idx, 0);
    if (!zf) {
        st = lc_error_set(e, LC_ERR_DATA, "image '%s' in %s cannot be opened: %s", path, s->name, zip_strerror(z));
        goto free_bytes;
    }
    size_t got = 0;
    while (got < n) {
        zip_int64_t r = zip_fread(zf, b + got, n - got);
        if (r < 0) {
            st = lc_error_set(e, LC_ERR_DATA, "image '%s' in %s is damaged: %s", path, s->name,
                              zip_error_strerror(zip_file_get_error(zf)));
            goto close_entry;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    if (got != n) {
        st = lc_error_set(e, LC_ERR_DATA, "image '%s' in %s is truncated: %zu of %zu bytes", path, s->name, got, n);
        goto close_entry;
    }
close_entry:
    zip_fclose(zf);
free_bytes:
    if (st != LC_OK) {
        free(b);
        return st;
    }
    *bytes = b;
    *len = n;
    return LC_OK;
}

lc_status lc_image_source_read(lc_image_source *s, int slot, const char *path, unsigned char **bytes,
                               size_t *len, lc_error *e)
{
    *bytes = NULL;
    *len = 0;
    if (slot < 0 || slot >= s->nslots)
        return lc_error_set(e, LC_ERR_INTERNAL, "image reader slot %d out of range (%d reserved)", slot, s->nslots);
    if (!path || !path[0])
        return lc_error_set(e, LC_ERR_DATA, "empty image path; every row needs an image");
    if (s->zips)
        return read_zip_entry(s, slot, path, bytes, len, e);
    return read_dir_file(s, path, bytes, len, e);
}
