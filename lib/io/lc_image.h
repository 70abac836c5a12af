/* lc_image.h - image bytes from a directory or a zip archive, decoded with stb_image to uint8,
 * fitted to (H, W) the way Ludwig does, and loaded in parallel into one (N, C, H, W) tensor.
 *
 * Sources (zipread.c): a directory resolves relative paths against a base directory (upstream
 * resolves them against the dataset file's directory); absolute paths are used as they are. A zip
 * is read in memory with libzip and never extracted: a path names an entry exactly, or after
 * stripping a leading "./", or under the archive's single top-level folder (a zip made from a
 * folder); absolute paths and ".." components are refused. Entries over 64 MiB are refused.
 *
 * Decoding (image.c): PNG, JPEG, BMP, GIF (first frame), TGA, PNM (P5/P6) via stb_image (PSD and
 * PIC are left out: rare, and a history of decoder bugs); 16-bit PNGs are reduced to 8 bits.
 * Headers stb 2.27 mis-handles (JPEG Huffman tables over 256 codes, PNM numbers over INT_MAX)
 * are refused before stb sees them. Channel conversion to the requested count (Ludwig's ImageReadMode
 * 1 = GRAY, 2 = GRAY_ALPHA, 3 = RGB, 4 = RGB_ALPHA) is stb's: grey is the luma
 * (77 R + 150 G + 29 B) >> 8, alpha is dropped or set to 255, grey is replicated into RGB.
 * Images over 8192 pixels on a side or over 2^26 pixels are refused before decoding.
 *
 * Fitting (image.c), as Ludwig's resize_image():
 *   interpolate  stb_image_resize, triangle (tent) filter, clamped edges, linear colour space,
 *                no alpha premultiplication: bilinear when enlarging and an area-weighted tent
 *                when shrinking, the closest stb filter to torchvision's
 *                resize(BILINEAR, antialias=True).
 *   crop_or_pad  upstream's pad-then-center_crop: edge-replicating pad (with upstream's
 *                left/right amounts taken from the height difference and top/bottom from the
 *                width difference), then torchvision center_crop (zero fill where still short,
 *                offsets rounded half to even). For square changes this is a plain centered
 *                edge pad or center crop.
 *
 * Errors carry the image path, the source name and stb/libzip's reason; the batch loader
 * prefixes "line N: " with the caller's line numbers. Policy (which size to infer, which rows to
 * load) is left to lib/ludwig.
 */
#ifndef LC_IMAGE_H
#define LC_IMAGE_H

#include "lc_error.h"
#include "lc_pool.h"

#include <stddef.h>

#define LC_IMAGE_ENTRY_MAX ((size_t)64 << 20) /* bytes of one encoded image */
#define LC_IMAGE_SIDE_MAX 8192                /* pixels on either side */
#define LC_IMAGE_PIXELS_MAX ((size_t)1 << 26) /* pixels per image */

/* ---- sources ------------------------------------------------------------------------------ */

typedef struct lc_image_source lc_image_source;

/* Images under base_dir (NULL or "" means the current directory). */
lc_status lc_image_source_open_dir(const char *base_dir, lc_image_source **out, lc_error *e);
/* Images inside the zip archive at zip_path (a bad or unreadable zip is an error here). */
lc_status lc_image_source_open_zip(const char *zip_path, lc_image_source **out, lc_error *e);
void lc_image_source_close(lc_image_source *s);
/* For messages: the zip's file name, or the directory. */
const char *lc_image_source_name(const lc_image_source *s);

/* Make nslots independent readers available (a zip is opened once more per slot, lazily).
 * Reads on different slots may run concurrently; reads on one slot may not. Slot 0 always
 * exists. */
lc_status lc_image_source_reserve(lc_image_source *s, int nslots, lc_error *e);
/* The encoded bytes of the image at path. *bytes is malloc'd (release with lc_free); a zero-byte
 * file is returned as such (len 0) for the decoder to report. */
lc_status lc_image_source_read(lc_image_source *s, int slot, const char *path, unsigned char **bytes,
                               size_t *len, lc_error *e);

/* ---- one image ---------------------------------------------------------------------------- */

typedef struct lc_image {
    int h, w, c;
    unsigned char *px; /* (h, w, c) HWC, row-major; release with lc_image_free */
} lc_image;

typedef enum lc_resize_method {
    LC_RESIZE_CROP_OR_PAD = 0,
    LC_RESIZE_INTERPOLATE /* Ludwig's default */
} lc_resize_method;

/* Size and stored channel count from the header only (no full decode); what names the image
 * in messages. */
lc_status lc_image_info(const unsigned char *bytes, size_t len, const char *what, int *h, int *w,
                        int *c, lc_error *e);
/* Decode to channels (1..4) or, with channels == 0, to the stored count. */
lc_status lc_image_decode(const unsigned char *bytes, size_t len, int channels, const char *what,
                          lc_image *out, lc_error *e);
void lc_image_free(lc_image *im);
/* out = in fitted to (h, w); out->px is new (release with lc_image_free). */
lc_status lc_image_resize(const lc_image *in, int h, int w, lc_resize_method method, lc_image *out,
                          lc_error *e);

/* ---- many images ------------------------------------------------------------------------ */

typedef struct lc_tv_transform lc_tv_transform;

typedef struct lc_image_spec {
    int height, width, channels; /* target (H, W, C), C in 1..4 */
    lc_resize_method resize;     /* used only for images whose size differs */
    const lc_tv_transform *tv;   /* non-NULL: a torchvision encoder's preprocessing instead
                                  * (lc_tvtransform.h): each image decoded as stored, then
                                  * ResizeChannels(3), resize and center crop; (H, W, C) must be
                                  * (crop, crop, 3) */
} lc_image_spec;

/* Decode paths[0..n) into out (n, C, H, W), NCHW, uint8, in parallel on pool (NULL = inline).
 * rows[i] is the number shown in messages for image i (NULL: i + 1). On failure the message is
 * the first failing image in index order, e.g. "line 17: image 'training/3/12.png' not found in
 * mnist_images.zip". The result does not depend on the thread count. */
lc_status lc_image_load_batch(lc_image_source *s, const char *const *paths, const long *rows, size_t n,
                              const lc_image_spec *spec, lc_pool *pool,
                              unsigned char *out /* (n, C, H, W) */, lc_error *e);

typedef struct lc_image_dims {
    int h, w, c; /* c = stored channel count */
} lc_image_dims;

/* Header-only size of paths[0..n) into dims[0..n) (serial; callers choose n, e.g. Ludwig's
 * infer_image_sample_size). Fails on the first unreadable image with its row, like the batch. */
lc_status lc_image_sniff(lc_image_source *s, const char *const *paths, const long *rows, size_t n,
                         lc_image_dims *dims, lc_error *e);

/* Summaries of sniffed dims for the caller's policy: mean height and width rounded half to even
 * (as Python's round()), the first image's channels and the most common channel count (ties
 * go to the smaller count). */
void lc_image_dims_summary(const lc_image_dims *dims, size_t n, int *mean_h, int *mean_w,
                           int *first_c, int *mode_c);

#endif
