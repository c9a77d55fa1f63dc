/* The image helper, run for one upload (see tl_images.h). */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include "tl_images.h"
#include "tl_config.h"
#include <apr_strings.h>
#include <apr_thread_proc.h>


#define TL_IMAGES_DEADLINE apr_time_from_sec(30)
#define TL_IMAGES_MEMORY (1024L * 1024 * 1024)      /* address space */
#define TL_IMAGES_CPU 20L                           /* seconds */
#define TL_IMAGES_MAX_OUTPUT (16 * 1024 * 1024)

static const char tl_images_failed[] =
    "Cette photo n'a pas pu être lue (abîmée, ou trop lourde à décoder) : rien n'a été gardé. "
    "Essayez avec une autre photo, ou la même en plus petit.";

/* What is left of the deadline, never less than a millisecond. */
static apr_interval_time_t tl_images_left(apr_time_t deadline)
{
    apr_time_t now = apr_time_now();
    return now < deadline ? deadline - now : 1000;
}

/* Reads the helper's answer: its first line, then each variant's line
 * and bytes. Returns 1 when it is whole and well formed. */
static int tl_images_parse(apr_pool_t *p, const char *buf, apr_size_t len, tl_image_result *out)
{
    const char *at = buf, *end = buf + len, *nl;
    char fmt[8], src[8];
    int w, h;
    unsigned long n;

    memset(out, 0, sizeof(*out));
    if (!(nl = memchr(at, '\n', (apr_size_t)(end - at))) || nl - at > 64
        || sscanf(apr_pstrmemdup(p, at, (apr_size_t)(nl - at)), "TLIMG %7s %d %d", src, &w, &h) != 3) {
        return 0;
    }
    out->source = apr_pstrdup(p, src);
    at = nl + 1;
    while (at < end) {
        const char *line;
        if (!(nl = memchr(at, '\n', (apr_size_t)(end - at))) || nl - at > 64) {
            return 0;
        }
        line = apr_pstrmemdup(p, at, (apr_size_t)(nl - at));
        at = nl + 1;
        if (strcmp(line, "END") == 0) {
            return at == end && out->n > 0;
        }
        if (out->n == TL_IMAGES_MAX_VARIANTS || sscanf(line, "%7s %d %d %lu", fmt, &w, &h, &n) != 4
            || (strcmp(fmt, "jpg") != 0 && strcmp(fmt, "webp") != 0) || w < 1 || w > 1280 || h < 1
            || h > 16384 || n == 0 || n > (unsigned long)(end - at)) {
            return 0;
        }
        out->v[out->n].format = strcmp(fmt, "jpg") == 0 ? "jpg" : "webp";
        out->v[out->n].width = w;
        out->v[out->n].height = h;
        out->v[out->n].data = at;
        out->v[out->n].len = n;
        out->n++;
        at += n;
    }
    return 0;
}

int tl_images_convert(request_rec *r, const char *data, apr_size_t len, tl_image_result *out,
                      const char **refusal)
{
    apr_pool_t *p = r->pool;
    const char *helper = tl_conf_image_helper(r->server);
    const char *const argv[] = { "tierslieux-images", NULL };
    const char *const env[] = { NULL };
    struct rlimit mem = { TL_IMAGES_MEMORY, TL_IMAGES_MEMORY }, cpu = { TL_IMAGES_CPU, TL_IMAGES_CPU };
    apr_time_t deadline = apr_time_now() + TL_IMAGES_DEADLINE;
    apr_procattr_t *attr;
    apr_proc_t proc;
    apr_exit_why_e why;
    apr_status_t rv;
    char *buf;
    apr_size_t got = 0, cap;
    int code = 0, timed_out = 0;

    *refusal = tl_images_failed;
    if ((rv = apr_procattr_create(&attr, p)) != APR_SUCCESS
        || (rv = apr_procattr_io_set(attr, APR_CHILD_BLOCK, APR_CHILD_BLOCK, APR_NO_FILE)) != APR_SUCCESS
        || (rv = apr_procattr_cmdtype_set(attr, APR_PROGRAM)) != APR_SUCCESS
        || (rv = apr_procattr_limit_set(attr, APR_LIMIT_MEM, &mem)) != APR_SUCCESS
        || (rv = apr_procattr_limit_set(attr, APR_LIMIT_CPU, &cpu)) != APR_SUCCESS
        || (rv = apr_procattr_error_check_set(attr, 1)) != APR_SUCCESS
        || (rv = apr_proc_create(&proc, helper, argv, env, attr, p)) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, TLXLOGNO(1601) "cannot start the image helper %s", helper);
        return 0;
    }
    apr_file_pipe_timeout_set(proc.in, tl_images_left(deadline));
    rv = apr_file_write_full(proc.in, data, len, NULL);
    apr_file_close(proc.in);
    if (APR_STATUS_IS_TIMEUP(rv)) {
        timed_out = 1;
    }
    /* Grown as the answer comes (about 300 KB for a phone's photo), up to
     * the limit and one byte more to see it passed. */
    cap = 512 * 1024;
    buf = apr_palloc(p, cap);
    while (!timed_out && got <= TL_IMAGES_MAX_OUTPUT) {
        apr_size_t n;
        if (got == cap) {
            char *more;
            cap = cap * 2 > TL_IMAGES_MAX_OUTPUT + 1 ? TL_IMAGES_MAX_OUTPUT + 1 : cap * 2;
            more = apr_palloc(p, cap);
            memcpy(more, buf, got);
            buf = more;
        }
        n = cap - got;
        apr_file_pipe_timeout_set(proc.out, tl_images_left(deadline));
        rv = apr_file_read(proc.out, buf + got, &n);
        got += n;
        if (APR_STATUS_IS_EOF(rv) || (rv == APR_SUCCESS && n == 0)) {
            break;
        }
        if (APR_STATUS_IS_TIMEUP(rv) || apr_time_now() >= deadline) {
            timed_out = 1;
        } else if (rv != APR_SUCCESS) {
            break;
        }
    }
    apr_file_close(proc.out);
    if (timed_out || got > TL_IMAGES_MAX_OUTPUT) {
        apr_proc_kill(&proc, SIGKILL);
    }
    apr_proc_wait(&proc, &code, &why, APR_WAIT);
    if (timed_out) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, TLXLOGNO(1602) "image helper stopped after %d s",
                      (int)apr_time_sec(TL_IMAGES_DEADLINE));
        return 0;
    }
    if (why == APR_PROC_EXIT && code == 2 && got > 6 && memcmp(buf, "REFUS ", 6) == 0) {
        char *nl = memchr(buf, '\n', got);
        if (nl && nl - buf < 1024) {
            *refusal = apr_pstrmemdup(p, buf + 6, (apr_size_t)(nl - buf - 6));
            return 0;
        }
    }
    if (why != APR_PROC_EXIT || code != 0 || !tl_images_parse(p, buf, got, out)) {
        /* Never the file's name nor content: what became of the helper. */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, TLXLOGNO(1603) "image helper %s %d, %lu bytes written",
                      why == APR_PROC_EXIT ? "exited with" : "killed by signal", code, (unsigned long)got);
        return 0;
    }
    return 1;
}
