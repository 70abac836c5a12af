/* report.c - a plain, readable HTML report: run summary, test metrics, per-epoch learning table.
 * Charts and the richer sections belong to the report issue; this page already carries every
 * number a scientist needs, escaped by libxml2. */
#include "lc_report.h"

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *CSS =
    "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:960px;"
    "margin:2em auto;padding:0 1em;color:#222}"
    "h1{border-bottom:2px solid #0072B2;padding-bottom:.2em}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}"
    "th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}";

static xmlNodePtr add(xmlNodePtr parent, const char *tag, const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST tag, text ? BAD_CAST text : NULL);
}

static void num_text(const cJSON *v, char *buf, size_t n)
{
    if (cJSON_IsRaw(v))
        snprintf(buf, n, "%.4f", strtod(v->valuestring, NULL));
    else if (cJSON_IsNumber(v))
        snprintf(buf, n, v->valuedouble == (long long)v->valuedouble ? "%.0f" : "%.4f",
                 v->valuedouble);
    else if (cJSON_IsString(v))
        snprintf(buf, n, "%s", v->valuestring);
    else if (cJSON_IsBool(v))
        snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "yes" : "no");
    else
        snprintf(buf, n, "-");
}

static void kv_table(xmlNodePtr parent, const cJSON *obj, const char *skip_prefix)
{
    xmlNodePtr t = add(parent, "table", NULL);
    for (const cJSON *v = obj ? obj->child : NULL; v; v = v->next) {
        if (cJSON_IsObject(v) || cJSON_IsArray(v))
            continue;
        if (skip_prefix && strncmp(v->string, skip_prefix, strlen(skip_prefix)) == 0)
            continue;
        char buf[64];
        num_text(v, buf, sizeof buf);
        xmlNodePtr tr = add(t, "tr", NULL);
        add(tr, "th", v->string);
        add(tr, "td", buf);
    }
}

lc_status lc_report_write(const char *path, const lc_report_info *info, lc_error *e)
{
    htmlDocPtr doc = htmlNewDoc(NULL, NULL);
    if (!doc)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory building the report");
    xmlNodePtr html = xmlNewNode(NULL, BAD_CAST "html");
    xmlNewProp(html, BAD_CAST "lang", BAD_CAST "en");
    xmlDocSetRootElement(doc, html);
    xmlNodePtr head = add(html, "head", NULL);
    xmlNodePtr meta = add(head, "meta", NULL);
    xmlNewProp(meta, BAD_CAST "charset", BAD_CAST "utf-8");
    meta = add(head, "meta", NULL);
    xmlNewProp(meta, BAD_CAST "name", BAD_CAST "viewport");
    xmlNewProp(meta, BAD_CAST "content", BAD_CAST "width=device-width, initial-scale=1");
    add(head, "title", info->title);
    add(head, "style", CSS);
    xmlNodePtr body = add(html, "body", NULL);
    add(body, "h1", info->title);
    add(body, "h2", "Run summary");
    kv_table(body, info->summary, NULL);
    const cJSON *feat = info->test_stats
                            ? cJSON_GetObjectItemCaseSensitive(info->test_stats, info->output_feature)
                            : NULL;
    if (feat) {
        char h[256];
        snprintf(h, sizeof h, "Test metrics: %s", info->output_feature);
        add(body, "h2", h);
        kv_table(body, feat, NULL);
        const cJSON *os = cJSON_GetObjectItemCaseSensitive(feat, "overall_stats");
        if (os) {
            add(body, "h3", "overall_stats");
            kv_table(body, os, NULL);
        }
    }
    const cJSON *tr = info->train_stats;
    if (tr) {
        add(body, "h2", "Learning curves (per epoch)");
        static const char *splits[3] = {"training", "validation", "test"};
        xmlNodePtr t = add(body, "table", NULL);
        xmlNodePtr row = add(t, "tr", NULL);
        add(row, "th", "epoch");
        const cJSON *f0 = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(tr, "training"), info->output_feature);
        int epochs = f0 ? cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(f0, "loss")) : 0;
        for (int s = 0; s < 3; s++) {
            const cJSON *f = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(tr, splits[s]), info->output_feature);
            if (!f)
                continue;
            char h[64];
            snprintf(h, sizeof h, "%s loss", splits[s]);
            add(row, "th", h);
            snprintf(h, sizeof h, "%s accuracy", splits[s]);
            add(row, "th", h);
        }
        for (int ep = 0; ep < epochs; ep++) {
            row = add(t, "tr", NULL);
            char b[64];
            snprintf(b, sizeof b, "%d", ep + 1);
            add(row, "td", b);
            for (int s = 0; s < 3; s++) {
                const cJSON *f = cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(tr, splits[s]), info->output_feature);
                if (!f)
                    continue;
                num_text(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f, "loss"), ep), b,
                         sizeof b);
                add(row, "td", b);
                num_text(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f, "accuracy_micro"), ep),
                         b, sizeof b);
                add(row, "td", b);
            }
        }
    }
    add(body, "p", "Generated by ludwig-c. Accuracy in the per-epoch table is the share of correct predictions (Ludwig's accuracy_micro); Ludwig's 'accuracy' is the macro average over classes.");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int rc = htmlSaveFileFormat(tmp, doc, "UTF-8", 1);
    xmlFreeDoc(doc);
    if (rc < 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return lc_error_set(e, LC_ERR_IO, "%s: cannot write the report", path);
    }
    return LC_OK;
}
