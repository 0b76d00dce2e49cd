/* nnfile — the model file of nn.h: nn_save and nn_load.
 *
 * Format, version 1: UTF-8 text, '\n' line ends, single spaces between tokens, fields in
 * exactly this order (FP = a C99 hexadecimal float as printf's %a writes it, e.g.
 * 0x1.99999ap-4; strtod reads it exactly, so every weight round-trips bit for bit):
 *
 *   aeaudit-model 1                      magic and version
 *   precision float32|float64
 *   layers L
 *   sizes S0 S1 ... SL
 *   act l NAME [FP]                      L lines, l = 0..L-1; FP = slope / alpha when
 *                                        NAME is leaky_relu / elu
 *   bias B0 ... B(L-1)                   1 = layer has a bias, 0 = none
 *   record data TEXT                     the rest of the line ("-" when unknown)
 *   record normal TEXT                   class list or "-"
 *   record n N
 *   record opt adam|sgd
 *   record lr FP / momentum FP / beta1 FP / beta2 FP / eps FP   (one line each)
 *   record epochs N / batch N / steps N / seed N                 (one line each)
 *   record init torch|he|xavier
 *   record loss FP|nan
 *   record kernels portable|blas         optional (written when known): the training run's
 *                                        matrix kernels (nn.h NN_KERNELS_*); a file
 *                                        without it (older writers, untrained models)
 *                                        loads with rec.kernels = NN_KERNELS_UNKNOWN
 *   scale K                              K = 0 or S0; then K lines "LO HI", exact
 *                                        rationals p/q or integers in base 10
 *   W l R C                              then R lines of C FP: row i of W_l
 *   b l R                                (only if layer l has a bias) one line of R FP
 *   end crc32 XXXXXXXX                   CRC-32 (zlib's, as Python's zlib.crc32) of every
 *                                        byte before this line, 8 lower-case hex digits
 *
 * A reader also accepts CRLF line ends: the CR of each CRLF is dropped first and the
 * checksum is that of the LF text.  Caps (nn.h): NN_MAX_FILE_BYTES, NN_MAX_PARAMS, and
 * the parameter count must fit the file (2 bytes a weight at least), checked before
 * anything is allocated.  nn_save writes PATH.tmp (truncating a stale one) and renames.
 *
 * In a float32 file every FP weight must be exactly a float.  A reader rejects any
 * deviation; the checksum catches corruption that still parses.
 */
#include <stdio.h>   /* before gmp.h (via nn.h), which then declares mpq_out_str */

#include "nn.h"
#include "aeerr.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char *const opt_names[] = { "sgd", "adam" };
static const char *const init_names[] = { "torch", "he", "xavier" };

static void put_text(FILE *f, const char *key, const char *s)
{
    fprintf(f, "record %s ", key);
    if (s[0] == '\0')
        fputc('-', f);
    for (; *s; s++)
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    fputc('\n', f);
}

static void put_fp(FILE *f, const char *key, double v)
{
    if (isnan(v))
        fprintf(f, "record %s nan\n", key);
    else
        fprintf(f, "record %s %a\n", key, v);
}

/* The file body (everything before the end line) into a malloc'ed buffer. */
static int write_body(char **buf, size_t *len, const nn_struct *net)
{
    FILE *f = open_memstream(buf, len);
    if (f == NULL)
        return AE_ENOMEM;
    const long L = net->L;
    fprintf(f, "aeaudit-model %d\n", NN_FILE_VERSION);
    fprintf(f, "precision %s\n", net->prec == NN_F32 ? "float32" : "float64");
    fprintf(f, "layers %ld\nsizes", L);
    for (long l = 0; l <= L; l++)
        fprintf(f, " %ld", net->sizes[l]);
    fputc('\n', f);
    for (long l = 0; l < L; l++) {
        fprintf(f, "act %ld %s", l, nn_act_name(net->act[l]));
        if (net->act[l] == NN_LEAKY_RELU || net->act[l] == NN_ELU)
            fprintf(f, " %a", net->act_param[l]);
        fputc('\n', f);
    }
    fputs("bias", f);
    for (long l = 0; l < L; l++)
        fprintf(f, " %d", net->bias[l]);
    fputc('\n', f);
    const nn_record *r = &net->rec;
    put_text(f, "data", r->data);
    put_text(f, "normal", r->normal);
    fprintf(f, "record n %ld\n", r->n);
    fprintf(f, "record opt %s\n", opt_names[r->opt == NN_OPT_SGD ? 0 : 1]);
    put_fp(f, "lr", r->lr);
    put_fp(f, "momentum", r->momentum);
    put_fp(f, "beta1", r->beta1);
    put_fp(f, "beta2", r->beta2);
    put_fp(f, "eps", r->eps);
    fprintf(f, "record epochs %ld\nrecord batch %ld\nrecord steps %ld\nrecord seed %lu\n",
            r->epochs, r->batch, r->steps, r->seed);
    fprintf(f, "record init %s\n", init_names[r->init >= 0 && r->init <= 2 ? r->init : 0]);
    put_fp(f, "loss", r->loss);
    if (r->kernels == NN_KERNELS_PORTABLE || r->kernels == NN_KERNELS_BLAS)
        fprintf(f, "record kernels %s\n", nn_kernels_name(r->kernels));
    fprintf(f, "scale %ld\n", net->nscale);
    for (long i = 0; i < net->nscale; i++) {
        mpq_out_str(f, 10, net->scale_lo[i]);
        fputc(' ', f);
        mpq_out_str(f, 10, net->scale_hi[i]);
        fputc('\n', f);
    }
    for (long l = 0; l < L; l++) {
        long R = net->sizes[l + 1], C = net->sizes[l];
        fprintf(f, "W %ld %ld %ld\n", l, R, C);
        for (long k = 0; k < R * C + (net->bias[l] ? R : 0); k++) {
            if (k == R * C)
                fprintf(f, "b %ld %ld\n", l, R);
            long off = net->woff[l] + k;
            double v = net->prec == NN_F32 ? (double) ((const float *) net->params)[off]
                                           : ((const double *) net->params)[off];
            int last = k < R * C ? (k % C == C - 1) : (k == R * C + R - 1);
            fprintf(f, "%a%c", v, last ? '\n' : ' ');
        }
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        free(*buf);
        *buf = NULL;
        return AE_ENOMEM;
    }
    return AE_OK;
}

/* zlib's CRC-32 of n bytes (zlib takes uInt lengths, so feed it in pieces). */
static unsigned long crc_all(const char *p, size_t n)
{
    unsigned long crc = crc32(0L, Z_NULL, 0);
    for (size_t done = 0; done < n; ) {
        uInt chunk = n - done > (1u << 30) ? (1u << 30) : (uInt) (n - done);
        crc = crc32(crc, (const Bytef *) p + done, chunk);
        done += chunk;
    }
    return crc & 0xffffffffUL;
}

static int fail(char *err, size_t errlen, int status, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return status;
}

int nn_save(const char *path, const nn_t net, char *err, size_t errlen)
{
    if (path == NULL || net->params == NULL) {
        ae_error("nn_save", "need a path and an initialised network");
        return AE_EINVAL;
    }
    char *body = NULL;
    size_t len = 0;
    if (write_body(&body, &len, net) != AE_OK)
        return fail(err, errlen, AE_EIO, "%s: out of memory", path);
    unsigned long crc = crc_all(body, len);
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (tmp == NULL) {
        free(body);
        return fail(err, errlen, AE_EIO, "%s: out of memory", path);
    }
    /* One fixed temporary name PATH.tmp, truncated: a run killed before the rename leaves
     * at most that one file, which the next save overwrites. */
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) {
        int e = errno;
        free(body);
        free(tmp);
        return fail(err, errlen, AE_EIO, "%s: cannot create a temporary file: %s", path,
                    strerror(e));
    }
    FILE *f = fdopen(fd, "w");
    int ok = f != NULL;
    if (ok) {
        ok = fwrite(body, 1, len, f) == len;
        ok = ok && fprintf(f, "end crc32 %08lx\n", crc) > 0;
        ok = ok && fflush(f) == 0 && fsync(fd) == 0;
        ok = (fclose(f) == 0) && ok;
    } else {
        close(fd);
    }
    int e = errno;
    free(body);
    if (!ok || rename(tmp, path) != 0) {
        if (ok)
            e = errno;
        unlink(tmp);
        free(tmp);
        return fail(err, errlen, AE_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    free(tmp);
    return AE_OK;
}

/* ---- reading --------------------------------------------------------------------------- */

typedef struct {
    char *p;          /* cursor: start of the current line */
    char *end;        /* end of the body (start of the end line) */
    long line;        /* 1-based number of the line at p */
    const char *path;
    char *err;
    size_t errlen;
    long long fsize;  /* bytes in the file */
} rd;

/* Returns the next line, NUL-terminated in place (the '\n' replaced), or NULL at the end. */
static char *next_line(rd *r)
{
    if (r->p >= r->end)
        return NULL;
    char *s = r->p, *nl = memchr(s, '\n', (size_t) (r->end - s));
    if (nl == NULL)
        return NULL;
    *nl = '\0';
    r->p = nl + 1;
    r->line++;
    return s;
}

#define RFAIL(r, ...) do { \
        char m_[200]; snprintf(m_, sizeof m_, __VA_ARGS__); \
        return fail((r)->err, (r)->errlen, AE_EPARSE, "%s:%ld: %s", (r)->path, (r)->line, m_); \
    } while (0)

/* The line must start with key followed by a space (or end); *rest = after the space. */
static int expect(rd *r, const char *key, char **rest)
{
    char *s = next_line(r);
    size_t k = strlen(key);
    if (s == NULL) {
        r->line++;
        RFAIL(r, "truncated: expected '%s'", key);
    }
    if (strncmp(s, key, k) != 0 || (s[k] != ' ' && s[k] != '\0'))
        RFAIL(r, "expected '%s'", key);
    *rest = s[k] == ' ' ? s + k + 1 : s + k;
    return AE_OK;
}

/* Strict integer: decimal digits only (optionally '-' when neg_ok), in range. */
static int get_long(const char **s, long *v, int neg_ok)
{
    const char *t = *s;
    if (*t == '-' && !neg_ok)
        return 0;
    if (!(*t == '-' || (*t >= '0' && *t <= '9')))
        return 0;
    char *e;
    errno = 0;
    long x = strtol(t, &e, 10);
    if (e == t || errno != 0)
        return 0;
    *v = x;
    *s = e;
    return 1;
}

/* A finite (or, if nan_ok, "nan") floating-point token; prec NN_F32 demands a float. */
static int get_fp(const char **s, double *v, int prec, int nan_ok)
{
    const char *t = *s;
    if (nan_ok && strncmp(t, "nan", 3) == 0 && (t[3] == '\0' || t[3] == ' ')) {
        *v = NAN;
        *s = t + 3;
        return 1;
    }
    if (!(*t == '-' || *t == '+' || *t == '.' || (*t >= '0' && *t <= '9')))
        return 0;
    char *e;
    double x = strtod(t, &e);
    if (e == t || !isfinite(x) || (*e != '\0' && *e != ' '))
        return 0;
    if (prec == NN_F32 && (double) (float) x != x)
        return 0;
    *v = x;
    *s = e;
    return 1;
}

static int at_eol(const char *s)
{
    return *s == '\0';
}

static int skip_space(const char **s)
{
    if (**s != ' ')
        return 0;
    (*s)++;
    return 1;
}

static int parse_model(nn_struct *net, rd *r)
{
    char *s;
    const char *c;
    long v;
    int st;
    if ((st = expect(r, "aeaudit-model", &s)) != AE_OK) {
        r->line = 1;
        RFAIL(r, "not an aeaudit model file (bad magic line)");
    }
    c = s;
    if (!get_long(&c, &v, 0) || !at_eol(c))
        RFAIL(r, "bad version");
    if (v != NN_FILE_VERSION)
        RFAIL(r, "unsupported model file version %ld (this build reads %d)", v, NN_FILE_VERSION);
    if ((st = expect(r, "precision", &s)) != AE_OK)
        return st;
    int prec = strcmp(s, "float32") == 0 ? NN_F32 : strcmp(s, "float64") == 0 ? NN_F64 : 0;
    if (prec == 0)
        RFAIL(r, "precision must be float32 or float64");
    long L;
    if ((st = expect(r, "layers", &s)) != AE_OK)
        return st;
    c = s;
    if (!get_long(&c, &L, 0) || !at_eol(c) || L < 1 || L > 10000)
        RFAIL(r, "bad layer count");
    long *sizes = malloc((size_t) (L + 1) * sizeof(long));
    nn_act_t *act = malloc((size_t) L * sizeof(nn_act_t));
    double *ap = malloc((size_t) L * sizeof(double));
    int *bias = malloc((size_t) L * sizeof(int));
    st = AE_OK;
    if (sizes == NULL || act == NULL || ap == NULL || bias == NULL) {
        st = fail(r->err, r->errlen, AE_EIO, "%s: out of memory", r->path);
        goto done;
    }
    if ((st = expect(r, "sizes", &s)) != AE_OK)
        goto done;
    const long sizes_line = r->line;
    c = s;
    for (long l = 0; l <= L; l++) {
        if (!get_long(&c, &sizes[l], 0) || sizes[l] < 1 || sizes[l] > (1L << 24)
            || !(l == L ? at_eol(c) : skip_space(&c))) {
            st = fail(r->err, r->errlen, AE_EPARSE, "%s:%ld: bad layer sizes", r->path, r->line);
            goto done;
        }
    }
    for (long l = 0; l < L; l++) {
        if ((st = expect(r, "act", &s)) != AE_OK)
            goto done;
        c = s;
        long idx;
        char name[32];
        int ok = get_long(&c, &idx, 0) && idx == l && skip_space(&c);
        size_t len = ok ? strcspn(c, " ") : 0;
        ok = ok && len > 0 && len < sizeof name;
        if (ok) {
            memcpy(name, c, len);
            name[len] = '\0';
            c += len;
            ok = nn_act_parse(&act[l], &ap[l], name) == AE_OK && strchr(name, ':') == NULL;
        }
        if (ok && (act[l] == NN_LEAKY_RELU || act[l] == NN_ELU))
            ok = skip_space(&c) && get_fp(&c, &ap[l], prec, 0) && !(act[l] == NN_ELU && ap[l] <= 0);
        if (!ok || !at_eol(c)) {
            st = fail(r->err, r->errlen, AE_EPARSE, "%s:%ld: bad activation line", r->path, r->line);
            goto done;
        }
    }
    if ((st = expect(r, "bias", &s)) != AE_OK)
        goto done;
    c = s;
    for (long l = 0; l < L; l++) {
        if (!(*c == '0' || *c == '1') || !(l == L - 1 ? at_eol(c + 1) : c[1] == ' ')) {
            st = fail(r->err, r->errlen, AE_EPARSE, "%s:%ld: bad bias flags", r->path, r->line);
            goto done;
        }
        bias[l] = *c == '1';
        c += 2;
    }
    {
        /* the parameter count, as a product (not width by width), against the cap and
         * against what the file can hold: each weight takes at least 2 bytes ("0 ") */
        double np = 0;
        for (long l = 0; l < L; l++)
            np += (double) sizes[l] * (double) sizes[l + 1] + (bias[l] ? (double) sizes[l + 1] : 0);
        if (np > (double) NN_MAX_PARAMS) {
            st = fail(r->err, r->errlen, AE_ERANGE, "%s:%ld: %.0f parameters exceed the cap of "
                      "%ld", r->path, sizes_line, np, (long) NN_MAX_PARAMS);
            goto done;
        }
        if (2 * np > (double) r->fsize) {
            st = fail(r->err, r->errlen, AE_EPARSE, "%s:%ld: truncated: %.0f parameters cannot "
                      "fit in a file of %lld bytes", r->path, sizes_line, np,
                      (long long) r->fsize);
            goto done;
        }
    }
    /* nn_init reports misuse through ae_error; everything it checks was checked above. */
    if ((st = nn_init(net, prec, L, sizes, act, ap, bias)) != AE_OK)
        goto done;
done:
    free(sizes); free(act); free(ap); free(bias);
    return st;
}

/* The record, the scaling and the weights, after parse_model initialised net. */
static int parse_rest(nn_struct *net, rd *r)
{
    char *s;
    const char *c;
    int st;
    nn_record *rec = &net->rec;
    static const char *const text_keys[] = { "record data", "record normal" };
    char *texts[2] = { rec->data, rec->normal };
    size_t tcap[2] = { sizeof rec->data, sizeof rec->normal };
    for (int i = 0; i < 2; i++) {
        if ((st = expect(r, text_keys[i], &s)) != AE_OK)
            return st;
        if (strlen(s) >= tcap[i])
            RFAIL(r, "text too long");
        strcpy(texts[i], strcmp(s, "-") == 0 ? "" : s);
    }
    long v;
    if ((st = expect(r, "record n", &s)) != AE_OK)
        return st;
    c = s;
    if (!get_long(&c, &rec->n, 0) || !at_eol(c))
        RFAIL(r, "bad record n");
    if ((st = expect(r, "record opt", &s)) != AE_OK)
        return st;
    if (strcmp(s, "sgd") == 0)
        rec->opt = NN_OPT_SGD;
    else if (strcmp(s, "adam") == 0)
        rec->opt = NN_OPT_ADAM;
    else
        RFAIL(r, "bad optimizer name");
    static const char *const fp_keys[] = { "record lr", "record momentum", "record beta1",
                                           "record beta2", "record eps" };
    double *fps[] = { &rec->lr, &rec->momentum, &rec->beta1, &rec->beta2, &rec->eps };
    for (int i = 0; i < 5; i++) {
        if ((st = expect(r, fp_keys[i], &s)) != AE_OK)
            return st;
        c = s;
        if (!get_fp(&c, fps[i], NN_F64, 0) || !at_eol(c))
            RFAIL(r, "bad number in %s", fp_keys[i]);
    }
    static const char *const int_keys[] = { "record epochs", "record batch", "record steps" };
    long *ints[] = { &rec->epochs, &rec->batch, &rec->steps };
    for (int i = 0; i < 3; i++) {
        if ((st = expect(r, int_keys[i], &s)) != AE_OK)
            return st;
        c = s;
        if (!get_long(&c, ints[i], 0) || !at_eol(c))
            RFAIL(r, "bad integer in %s", int_keys[i]);
    }
    if ((st = expect(r, "record seed", &s)) != AE_OK)
        return st;
    {
        char *e;
        errno = 0;
        if (!(*s >= '0' && *s <= '9'))
            RFAIL(r, "bad seed");
        rec->seed = strtoul(s, &e, 10);
        if (errno != 0 || *e != '\0')
            RFAIL(r, "bad seed");
    }
    if ((st = expect(r, "record init", &s)) != AE_OK)
        return st;
    rec->init = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(s, init_names[i]) == 0)
            rec->init = i;
    if (rec->init < 0)
        RFAIL(r, "bad initialisation name");
    if ((st = expect(r, "record loss", &s)) != AE_OK)
        return st;
    c = s;
    if (!get_fp(&c, &rec->loss, NN_F64, 1) || !at_eol(c))
        RFAIL(r, "bad loss");
    static const char kkey[] = "record kernels";
    rec->kernels = NN_KERNELS_UNKNOWN;
    if (r->end - r->p > (ptrdiff_t) strlen(kkey) && strncmp(r->p, kkey, strlen(kkey)) == 0) {
        if ((st = expect(r, kkey, &s)) != AE_OK)
            return st;
        if (nn_kernels_parse(&rec->kernels, s) != AE_OK)
            RFAIL(r, "bad kernels name");
    }

    if ((st = expect(r, "scale", &s)) != AE_OK)
        return st;
    c = s;
    if (!get_long(&c, &v, 0) || !at_eol(c) || (v != 0 && v != net->sizes[0]))
        RFAIL(r, "scale count must be 0 or the input width");
    if (v > 0) {
        mpq_t *lo = malloc((size_t) v * sizeof(mpq_t)), *hi = malloc((size_t) v * sizeof(mpq_t));
        if (lo == NULL || hi == NULL) {
            free(lo); free(hi);
            return fail(r->err, r->errlen, AE_EIO, "%s: out of memory", r->path);
        }
        for (long i = 0; i < v; i++) {
            mpq_init(lo[i]);
            mpq_init(hi[i]);
        }
        st = AE_OK;
        for (long i = 0; i < v && st == AE_OK; i++) {
            char *line = next_line(r);
            char *sp = line ? strchr(line, ' ') : NULL;
            if (sp != NULL)
                *sp = '\0';
            /* mpq_set_str accepts "p/q" and "p"; reject a zero denominator and junk. */
            if (sp == NULL || strchr(sp + 1, ' ') != NULL || *line == '\0' || sp[1] == '\0'
                || mpq_set_str(lo[i], line, 10) != 0 || mpq_set_str(hi[i], sp + 1, 10) != 0
                || mpz_sgn(mpq_denref(lo[i])) == 0 || mpz_sgn(mpq_denref(hi[i])) == 0) {
                if (line == NULL)
                    r->line++;
                st = fail(r->err, r->errlen, AE_EPARSE, "%s:%ld: bad scale line", r->path,
                          r->line);
            } else {
                mpq_canonicalize(lo[i]);
                mpq_canonicalize(hi[i]);
                if (mpq_cmp(lo[i], hi[i]) > 0)
                    st = fail(r->err, r->errlen, AE_EPARSE, "%s:%ld: scale line has lo > hi",
                              r->path, r->line);
            }
        }
        if (st == AE_OK)
            nn_set_scale(net, (const mpq_t *) lo, (const mpq_t *) hi);
        for (long i = 0; i < v; i++) {
            mpq_clear(lo[i]);
            mpq_clear(hi[i]);
        }
        free(lo); free(hi);
        if (st != AE_OK)
            return st;
    }

    for (long l = 0; l < net->L; l++) {
        long R = net->sizes[l + 1], C = net->sizes[l], a, b, x;
        if ((st = expect(r, "W", &s)) != AE_OK)
            return st;
        c = s;
        if (!get_long(&c, &x, 0) || x != l || !skip_space(&c) || !get_long(&c, &a, 0) || a != R
            || !skip_space(&c) || !get_long(&c, &b, 0) || b != C || !at_eol(c))
            RFAIL(r, "expected 'W %ld %ld %ld'", l, R, C);
        for (long i = 0; i <= R; i++) {
            long cnt = C, off = net->woff[l] + i * C;
            if (i == R) {
                if (!net->bias[l])
                    break;
                if ((st = expect(r, "b", &s)) != AE_OK)
                    return st;
                c = s;
                if (!get_long(&c, &x, 0) || x != l || !skip_space(&c) || !get_long(&c, &a, 0)
                    || a != R || !at_eol(c))
                    RFAIL(r, "expected 'b %ld %ld'", l, R);
                cnt = R;
                off = net->boff[l];
            }
            char *line = next_line(r);
            if (line == NULL) {
                r->line++;
                RFAIL(r, "truncated in the weights of layer %ld", l);
            }
            c = line;
            for (long j = 0; j < cnt; j++) {
                double w;
                if (!get_fp(&c, &w, net->prec, 0) || !(j == cnt - 1 ? at_eol(c) : skip_space(&c)))
                    RFAIL(r, "bad weight %ld of this line (layer %ld)%s", j + 1, l,
                          net->prec == NN_F32 ? " (must be a finite float32)" : "");
                if (net->prec == NN_F32)
                    ((float *) net->params)[off + j] = (float) w;
                else
                    ((double *) net->params)[off + j] = w;
            }
        }
    }
    if (r->p != r->end) {
        r->line++;
        RFAIL(r, "unexpected text after the weights");
    }
    return AE_OK;
}

/* A model's size is bounded by its declared layer sizes: P weights and biases of at most
 * 25 characters each ("-0x1.fffffffffffffp-1022 "), s_0 scale lines of two exact
 * rationals (<= 2 KiB: CSV literals have <= 100 digits and exponents <= 400), and a few
 * dozen short header and record lines (<= 64 KiB).  Reading only the header (the first
 * 64 KiB) up to the sizes line, a file larger than that bound is refused before it is read
 * whole, and so is a header line longer than 64 KiB.  Returns AE_OK when the header
 * looks too odd to judge here (the full parser then reports it precisely). */
#define NN_HEAD_BYTES 65536
static int check_declared_size(FILE *f, const char *path, long long fsize, char *err,
                               size_t errlen)
{
    char *head = malloc(NN_HEAD_BYTES + 1);
    if (head == NULL)
        return fail(err, errlen, AE_EIO, "%s: out of memory", path);
    size_t n = fread(head, 1, NN_HEAD_BYTES, f);
    head[n] = '\0';
    rewind(f);
    int st = AE_OK;
    char *p = head;
    for (long line = 1; line <= 16; line++) {
        char *nl = memchr(p, '\n', n - (size_t) (p - head));
        if (nl == NULL) {
            if (n == NN_HEAD_BYTES)
                st = fail(err, errlen, AE_EPARSE, "%s:%ld: header line longer than %d bytes",
                          path, line, NN_HEAD_BYTES);
            break;
        }
        *nl = '\0';
        if (strncmp(p, "sizes ", 6) == 0) {
            double P = 0, prev = -1, first = 0, need;
            char *q = p + 6, *e;
            for (long v; (v = strtol(q, &e, 10)), e != q; q = e) {
                if (prev < 0)
                    first = (double) v;
                else
                    P += prev * (double) v + (double) v;
                prev = (double) v;
            }
            need = NN_HEAD_BYTES + 25.0 * P + 2048.0 * first;
            if (prev >= 0 && (double) fsize > need)
                st = fail(err, errlen, AE_ERANGE, "%s:%ld: file of %lld bytes is larger than its "
                          "declared sizes can need (%.0f bytes)", path, line, fsize, need);
            break;
        }
        p = nl + 1;
    }
    free(head);
    return st;
}

int nn_load(nn_t net, const char *path, char *err, size_t errlen)
{
    memset(net, 0, sizeof *net);
    if (path == NULL) {
        ae_error("nn_load", "path is NULL");
        return AE_EINVAL;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return fail(err, errlen, AE_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    memset(&sb, 0, sizeof sb);   /* a failed fstat leaves it "not a regular file" */
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > NN_MAX_FILE_BYTES) {
        fclose(f);
        return fail(err, errlen, AE_ERANGE, "%s:0: file of %lld bytes exceeds the model size "
                    "cap of %lld bytes", path, (long long) sb.st_size,
                    (long long) NN_MAX_FILE_BYTES);
    }
    {
        /* the magic line first, before reading (possibly gigabytes of) anything else */
        char head[14];
        if (fread(head, 1, sizeof head, f) != sizeof head
            || memcmp(head, "aeaudit-model ", sizeof head) != 0) {
            fclose(f);
            return fail(err, errlen, AE_EPARSE,
                        "%s:1: not an aeaudit model file (bad magic line)", path);
        }
        rewind(f);
    }
    if (S_ISREG(sb.st_mode)) {
        int hs = check_declared_size(f, path, (long long) sb.st_size, err, errlen);
        if (hs != AE_OK) {
            fclose(f);
            return hs;
        }
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    int st = AE_OK;
    while (buf != NULL) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        if (cap >= (size_t) NN_MAX_FILE_BYTES) {
            st = fail(err, errlen, AE_ERANGE, "%s: exceeds the model size cap of %lld bytes",
                      path, (long long) NN_MAX_FILE_BYTES);
            break;
        }
        char *nb = realloc(buf, 2 * cap + 1);
        if (nb == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int rerr = ferror(f);
    fclose(f);
    if (buf == NULL)
        return fail(err, errlen, AE_EIO, "%s: out of memory", path);
    if (st == AE_OK && rerr)
        st = fail(err, errlen, AE_EIO, "%s: read error", path);
    if (st != AE_OK) {
        free(buf);
        return st;
    }
    buf[len] = '\0';
    if (memchr(buf, '\0', len) != NULL) {
        free(buf);
        return fail(err, errlen, AE_EPARSE, "%s: not a text file (NUL byte)", path);
    }
    /* CRLF files (e.g. after a Windows editor or git checkout): the CR of every CRLF is
     * removed and the file read, and checksummed, as the LF text. */
    int had_crlf = 0;
    if (memchr(buf, '\r', len) != NULL) {
        size_t w = 0;
        for (size_t i = 0; i < len; i++)
            if (!(buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n'))
                buf[w++] = buf[i];
            else
                had_crlf = 1;
        len = w;
        buf[len] = '\0';
    }
    /* The last line must be the checksum line; its absence means truncation. */
    long nlines = 0;
    for (size_t i = 0; i < len; i++)
        nlines += buf[i] == '\n';
    char *endline = NULL;
    if (len >= 1 && buf[len - 1] == '\n') {
        char *q = buf + len - 1;
        while (q > buf && q[-1] != '\n')
            q--;
        endline = q;
    }
    unsigned long want;
    char tail[8];
    if (len < 14 || strncmp(buf, "aeaudit-model", 13) != 0) {
        free(buf);
        return fail(err, errlen, AE_EPARSE, "%s:1: not an aeaudit model file (bad magic line)",
                    path);
    }
    if (endline == NULL || sscanf(endline, "end crc32 %8lx%7[^\n]", &want, tail) != 1
        || strlen(endline) != 19) {
        free(buf);
        return fail(err, errlen, AE_EPARSE, "%s:%ld: truncated or corrupt: no 'end crc32' line",
                    path, nlines + 1);
    }
    unsigned long got = crc_all(buf, (size_t) (endline - buf));
    if (got != want) {
        free(buf);
        return fail(err, errlen, AE_EPARSE, "%s:%ld: checksum mismatch (file corrupt%s): "
                    "stored %08lx, computed %08lx", path, nlines,
                    had_crlf ? "; it has CRLF line ends, and the checksum is over the LF text"
                             : "", want, got);
    }
    rd r = { buf, endline, 0, path, err, errlen, (long long) len };
    st = parse_model(net, &r);
    if (st == AE_OK) {
        st = parse_rest(net, &r);
        if (st != AE_OK)
            nn_clear(net);
    } else {
        memset(net, 0, sizeof *net);
    }
    free(buf);
    return st;
}
