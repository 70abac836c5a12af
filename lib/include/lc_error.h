/* lc_error.h - status codes and the error context every library call reports into.
 *
 * Library functions return an lc_status; on failure the human message (naming the file, row, key
 * and what to fix) is in the lc_error the caller passed. The library never prints and never exits:
 * the CLI decides how to show the message and which exit code to use.
 */
#ifndef LC_ERROR_H
#define LC_ERROR_H

#include <stddef.h>

typedef enum lc_status {
    LC_OK = 0,
    LC_ERR_USAGE,    /* bad command-line usage */
    LC_ERR_CONFIG,   /* the config file is invalid */
    LC_ERR_DATA,     /* the dataset, images or metadata are invalid */
    LC_ERR_IO,       /* a file could not be read or written */
    LC_ERR_NOMEM,    /* an allocation failed or a size limit was exceeded */
    LC_ERR_DIVERGED, /* training produced a non-finite loss */
    LC_ERR_INTERRUPTED, /* SIGINT/SIGTERM */
    LC_ERR_INTERNAL  /* a bug: please report */
} lc_status;

#define LC_ERROR_MSG_MAX 2048
#define LC_ERROR_HINT_MAX 512

typedef struct lc_error {
    lc_status status;
    char msg[LC_ERROR_MSG_MAX];
    char hint[LC_ERROR_HINT_MAX]; /* optional one-line suggestion, "" if none */
} lc_error;

/* Reset to LC_OK with empty messages. */
void lc_error_clear(lc_error *e);

/* Record a failure and return st. The first failure wins: a later call does not overwrite a
 * message already set, so low-level detail is not replaced by a vaguer caller message.
 * e may be NULL (the status is still returned). */
lc_status lc_error_set(lc_error *e, lc_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Attach a one-line hint (overwrites any earlier hint). */
void lc_error_hint(lc_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the existing message with context, e.g. "config.yaml: " (no-op if no error set). */
void lc_error_prefix(lc_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const char *lc_status_name(lc_status st);

#endif
