/* calibrate.c - Ludwig's calibration phase (see lc_calibrate.h). */
#include "lc_calibrate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lc_train.h"

#define MIN_SPLIT_ROWS 3 /* Ludwig's MIN_DATASET_SPLIT_ROWS */

static const char *split_name(int s) { return s == 1 ? "validation" : "training"; }

void lc_calibration_describe(const lc_calibration *c, const lc_model *m, int o, char *buf,
                             size_t n)
{
    buf[0] = '\0';
    if (!c || c->split < 0 || !c->res || c->res[o].evaluations == 0) {
        if (m && o < m->nout && m->heads[o].calibrated)
            snprintf(buf, n,
                     "Probabilities calibrated by temperature scaling when the model was trained: temperature %.4f.",
                     (double)m->heads[o].temperature);
        return;
    }
    const lc_calib_result *r = &c->res[o];
    int len = snprintf(buf, n,
                       "Probabilities calibrated by temperature scaling on the %s split (%zu rows): ",
                       split_name(c->split), c->rows);
    if (len < 0 || (size_t)len >= n)
        return;
    if (r->reverted == 2)
        snprintf(buf + len, n - (size_t)len,
                 "the fit did not reach a finite positive temperature, so the temperature stays 1 "
                 "(NLL %.4f, ECE %.4f).",
                 r->nll_before, r->ece_before);
    else if (r->reverted)
        snprintf(buf + len, n - (size_t)len,
                 "temperature %.4f (NLL %.4f -> %.4f) raised the expected calibration error "
                 "from %.4f to %.4f, so the temperature stays 1, as Ludwig does.",
                 r->fitted, r->nll_before, r->nll_after, r->ece_before, r->ece_after);
    else
        snprintf(buf + len, n - (size_t)len,
                 "temperature %.4f; NLL %.4f -> %.4f, expected calibration error %.4f -> %.4f.",
                 r->temperature, r->nll_before, r->nll_after, r->ece_before, r->ece_after);
}

int lc_calibration_split(const lc_model *m, const lc_dataset *d)
{
    int any = 0;
    for (int o = 0; o < m->nout; o++)
        any |= m->heads[o].calibrated;
    return !any ? -1 : d->count[1] >= MIN_SPLIT_ROWS ? 1 : 0;
}

lc_status lc_calibrate(lc_model *m, lc_pool *p, const lc_config *cfg, const lc_dataset *d,
                       int eval_bs, FILE *progress, lc_calibration *c, lc_error *e)
{
    memset(c, 0, sizeof *c);
    c->split = -1;
    int s = lc_calibration_split(m, d);
    if (s < 0)
        return LC_OK;
    if (progress && s == 0)
        fprintf(progress,
                "ludwig-c: warning: calibration uses the validation split, which has %zu rows (fewer than %d): calibrating on the training split instead\n",
                d->count[1], MIN_SPLIT_ROWS);
    size_t n = d->count[s];
    float **logits = calloc((size_t)m->nout, sizeof *logits);
    int32_t *labels = malloc((n + 1) * sizeof *labels);
    c->res = calloc((size_t)m->nout, sizeof *c->res);
    lc_status st = LC_OK;
    if (!logits || !labels || !c->res) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory for calibration");
        goto done;
    }
    for (int o = 0; o < m->nout; o++)
        if (m->heads[o].calibrated &&
            !(logits[o] = malloc((n + 1) * (size_t)m->heads[o].K * sizeof(float)))) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory for calibration");
            goto done;
        }
    c->split = s;
    c->rows = n;
    lc_forward_logits(m, p, cfg, d, d->idx[s], n, eval_bs, logits);
    for (int o = 0; o < m->nout; o++) {
        lc_head *h = &m->heads[o];
        if (!h->calibrated)
            continue;
        const lc_column *col = &d->out[o];
        int binary = h->type == LC_HEAD_BINARY;
        for (size_t i = 0; i < n; i++) {
            int32_t row = d->idx[s][i];
            labels[i] = binary ? (col->values && col->values[row] > 0.5f)
                               : (col->labels ? col->labels[row] : 0);
        }
        lc_calib_temperature(n, h->K, binary, logits[o], labels, &c->res[o]);
        h->temperature = (float)c->res[o].temperature;
        if (progress) {
            char line[512];
            lc_calibration_describe(c, NULL, o, line, sizeof line);
            fprintf(progress, "ludwig-c: output '%s': %s\n", cfg->out[o].name, line);
        }
    }
done:
    if (logits)
        for (int o = 0; o < m->nout; o++)
            free(logits[o]);
    free(logits);
    free(labels);
    if (st)
        lc_calibration_free(c);
    return st;
}

void lc_calibration_free(lc_calibration *c)
{
    free(c->res);
    c->res = NULL;
    c->split = -1;
}
