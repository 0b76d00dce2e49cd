/* p23util — see p23util.h. */
#include "p23util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcommon.h"
#include "qnum.h"

#define P23_RING 16
#define P23_LEN 40
static char ring[P23_RING][P23_LEN];
static int ring_pos;

const char *p23_fr_dir(const mpfr_t x, int dir)
{
    char *s = ring[ring_pos];
    ring_pos = (ring_pos + 1) % P23_RING;
    if (mpfr_zero_p(x))
        snprintf(s, P23_LEN, "0");
    else
        mpfr_snprintf(s, P23_LEN, dir < 0 ? "%.5RDe" : "%.5RUe", x);
    return s;
}

const char *p23_q_dir(const mpq_t q, int dir)
{
    mpfr_t x;
    mpfr_init2(x, 64);
    qnum_get_mpfr(x, q, dir < 0 ? MPFR_RNDD : MPFR_RNDU);
    const char *s = p23_fr_dir(x, dir);
    mpfr_clear(x);
    return s;
}

long p23_roots_in(const qpoly_t p, const mpq_t lo, const mpq_t hi)
{
    return qpoly_sturm_count(p, lo, hi) + (qpoly_sign_at(p, lo) == 0);
}

int p23_optimal_slack(mpq_t s, const pca_cert_t cert)
{
    if (!cert->gap_certified)
        return 0;
    mpq_t g;
    mpq_init(g);
    mpq_sub(g, cert->lam_k_lo, cert->lam_k1_hi);
    mpq_div(g, cert->gap_upper, g);
    qnum_sqrt_upper(s, g, 64);
    mpq_clear(g);
    return 1;
}

void p23_angle_cells(const char *cells[4], const angles_t A)
{
    long k = A->k;
    cells[0] = p23_fr_dir(A->th_lo[0], -1);
    cells[1] = p23_fr_dir(A->th_hi[0], 1);
    cells[2] = p23_fr_dir(A->th_lo[k - 1], -1);
    cells[3] = p23_fr_dir(A->th_hi[k - 1], 1);
}

/* lo, hi moved to an interval of the same width starting 2 widths + 2^-60 above hi:
 * it holds no root when the original isolates one and the next root is further away
 * (the control checks this with the same exact count, so a failure shows). */
static void shift_interval(mpq_t lo, mpq_t hi)
{
    mpq_t w, e;
    mpq_inits(w, e, NULL);
    mpq_sub(w, hi, lo);
    mpq_set_ui(e, 1, 1);
    mpq_div_2exp(e, e, 60);
    mpq_add(e, e, w);
    mpq_add(e, e, w);
    mpq_add(lo, hi, e);
    mpq_add(hi, lo, w);
    mpq_clears(w, e, NULL);
}

int p23_certify(const qpoly_t p, mpq_t lo, mpq_t hi, int corrupt, long *ctl_bad)
{
    mpq_t a, b;
    mpq_inits(a, b, NULL);
    mpq_set(a, lo);
    mpq_set(b, hi);
    shift_interval(a, b);
    if (p23_roots_in(p, a, b) != 0)
        (*ctl_bad)++;
    if (corrupt) {
        mpq_set(lo, a);
        mpq_set(hi, b);
    }
    int ok = p23_roots_in(p, lo, hi) >= 1;
    mpq_clears(a, b, NULL);
    return ok;
}


/* As p23_csv_rows, counting the data lines into *nrows. */
static int csv_rows_n(const char *path, long ncols, int (*row)(void *arg, char **cells, long lineno),
                      void *arg, long *nrows, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot read (run the claim first)", path);
        return 1;
    }
    char line[8192], *cells[32];
    long lineno = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
        if (++lineno == 1)
            continue;
        line[strcspn(line, "\r\n")] = '\0';
        long n = 0;
        for (char *s = line; n < 32;) {
            cells[n++] = s;
            char *comma = strchr(s, ',');
            if (comma == NULL)
                break;
            *comma = '\0';
            s = comma + 1;
        }
        if (n != ncols) {
            snprintf(err, errlen, "%s:%ld: %ld cells, expected %ld", path, lineno, n, ncols);
            rc = 1;
        } else if (row(arg, cells, lineno) != 0) {
            snprintf(err, errlen, "%s:%ld: malformed row", path, lineno);
            rc = 1;
        } else
            (*nrows)++;
    }
    fclose(f);
    return rc;
}

int p23_csv_rows(const char *path, long ncols, int (*row)(void *arg, char **cells, long lineno),
                 void *arg, char *err, size_t errlen)
{
    long n = 0;
    return csv_rows_n(path, ncols, row, arg, &n, err, errlen);
}

FILE *p23_fig_open(const char *figdir, const char *file)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", figdir, file);
    return fopen(path, "w");
}

int p23_fig_draw(const char *tabdir, const char *csv, long ncols,
                 int (*row)(void *arg, char **cells, long lineno), size_t datasize,
                 int (*write)(const void *data, const char *figdir), const char *figdir,
                 const char *name, int gnuplot, char *err, size_t errlen)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", tabdir, csv);
    void *data = calloc(1, datasize);
    if (data == NULL) {
        snprintf(err, errlen, "out of memory");
        return 1;
    }
    long n = 0;
    int rc = csv_rows_n(path, ncols, row, data, &n, err, errlen);
    if (rc == 0 && n == 0) {
        snprintf(err, errlen, "%s: no rows", path);
        rc = 1;
    }
    if (rc == 0 && write(data, figdir) != 0) {
        snprintf(err, errlen, "%s: cannot write %s.dat / %s.gp", figdir, name, name);
        rc = 1;
    }
    free(data);
    if (rc == 0 && gnuplot && prf_gnuplot(figdir, name) != 0) {
        snprintf(err, errlen, "gnuplot failed on %s/%s.gp", figdir, name);
        rc = 1;
    }
    return rc;
}

int p23_log10_abs(double *out, const char *cell)
{
    if (*cell == '~')
        cell++;
    mpfr_t t;
    mpfr_init2(t, 64);
    int ok;
    if (strchr(cell, '/') != NULL) {
        mpq_t q;
        mpq_init(q);
        ok = mpq_set_str(q, cell, 10) == 0 && mpz_sgn(mpq_denref(q)) != 0;
        if (ok) {
            mpq_canonicalize(q);
            mpfr_set_q(t, q, MPFR_RNDN);
        }
        mpq_clear(q);
    } else {
        char *end;
        mpfr_strtofr(t, cell, &end, 10, MPFR_RNDN);
        ok = end != cell && *end == '\0';
    }
    ok = ok && mpfr_number_p(t) && !mpfr_zero_p(t);
    if (ok) {
        mpfr_abs(t, t, MPFR_RNDN);
        mpfr_log10(t, t, MPFR_RNDN);
        *out = mpfr_get_d(t, MPFR_RNDN);
    }
    mpfr_clear(t);
    return ok;
}

