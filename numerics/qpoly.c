/* qpoly — see qpoly.h for the mathematics and the contracts. */
#include "qpoly.h"

#include <stdlib.h>

#include "aeerr.h"

/* ---- memory, setting, access --------------------------------------------------- */

/* Makes room for n coefficients; new entries are initialised to 0. */
static void fit(qpoly_t p, long n)
{
    if (n <= p->alloc)
        return;
    long na = p->alloc ? p->alloc : 4;
    while (na < n)
        na *= 2;
    p->coeffs = ae_realloc(p->coeffs, (size_t) na * sizeof(mpq_t));
    for (long i = p->alloc; i < na; i++)
        mpq_init(p->coeffs[i]);
    p->alloc = na;
}

/* Lowers deg past zero leading coefficients. */
static void normalize(qpoly_t p)
{
    while (p->deg >= 0 && mpq_sgn(p->coeffs[p->deg]) == 0)
        p->deg--;
}

void qpoly_init(qpoly_t p)
{
    p->coeffs = NULL;
    p->alloc = 0;
    p->deg = -1;
}

void qpoly_clear(qpoly_t p)
{
    for (long i = 0; i < p->alloc; i++)
        mpq_clear(p->coeffs[i]);
    free(p->coeffs);
    qpoly_init(p);
}

void qpoly_zero(qpoly_t p)
{
    p->deg = -1;
}

void qpoly_set(qpoly_t q, const qpoly_t p)
{
    if (q == p)
        return;
    fit(q, p->deg + 1);
    for (long i = 0; i <= p->deg; i++)
        mpq_set(q->coeffs[i], p->coeffs[i]);
    q->deg = p->deg;
}

void qpoly_swap(qpoly_t p, qpoly_t q)
{
    qpoly_struct t = *p;
    *p = *q;
    *q = t;
}

void qpoly_set_si(qpoly_t p, const long *c, long n)
{
    if (n < 0 || (n > 0 && c == NULL)) {
        ae_error("qpoly_set_si", "bad coefficient array (n = %ld)", n);
        return;
    }
    fit(p, n);
    for (long i = 0; i < n; i++)
        mpq_set_si(p->coeffs[i], c[i], 1);
    p->deg = n - 1;
    normalize(p);
}

void qpoly_set_coeff(qpoly_t p, long i, const mpq_t c)
{
    if (i < 0) {
        ae_error("qpoly_set_coeff", "negative index %ld", i);
        return;
    }
    if (i > p->deg) {
        if (mpq_sgn(c) == 0)
            return;
        fit(p, i + 1);
        for (long k = p->deg + 1; k < i; k++)
            mpq_set_ui(p->coeffs[k], 0, 1);
        p->deg = i;
    }
    mpq_set(p->coeffs[i], c);
    normalize(p);
}

void qpoly_get_coeff(mpq_t c, const qpoly_t p, long i)
{
    if (i < 0) {
        ae_error("qpoly_get_coeff", "negative index %ld", i);
        return;
    }
    if (i > p->deg)
        mpq_set_ui(c, 0, 1);
    else
        mpq_set(c, p->coeffs[i]);
}

long qpoly_degree(const qpoly_t p)
{
    return p->deg;
}

int qpoly_is_zero(const qpoly_t p)
{
    return p->deg < 0;
}

int qpoly_equal(const qpoly_t p, const qpoly_t q)
{
    if (p->deg != q->deg)
        return 0;
    for (long i = 0; i <= p->deg; i++)
        if (!mpq_equal(p->coeffs[i], q->coeffs[i]))
            return 0;
    return 1;
}

void qpoly_from_roots(qpoly_t p, const mpq_t *r, long n)
{
    if (n < 0 || (n > 0 && r == NULL)) {
        ae_error("qpoly_from_roots", "bad root array (n = %ld)", n);
        return;
    }
    mpq_t t;
    mpq_init(t);
    fit(p, n + 1);
    mpq_set_ui(p->coeffs[0], 1, 1);
    p->deg = 0;
    for (long k = 0; k < n; k++) {
        /* p <- p (x - r_k), updating from the top so each old coefficient is read once */
        mpq_set(p->coeffs[p->deg + 1], p->coeffs[p->deg]);
        for (long i = p->deg; i >= 1; i--) {
            mpq_mul(t, p->coeffs[i], r[k]);
            mpq_sub(p->coeffs[i], p->coeffs[i - 1], t);
        }
        mpq_mul(p->coeffs[0], p->coeffs[0], r[k]);
        mpq_neg(p->coeffs[0], p->coeffs[0]);
        p->deg++;
    }
    mpq_clear(t);
}

/* ---- arithmetic ---------------------------------------------------------------- */

static void addsub(qpoly_t r, const qpoly_t p, const qpoly_t q, int sub)
{
    long dp = p->deg, dq = q->deg;
    long n = (dp > dq ? dp : dq) + 1;
    fit(r, n);   /* may move r->coeffs, which is p->coeffs if r aliases p: read after */
    for (long i = 0; i < n; i++) {
        if (i <= dp && i <= dq) {
            if (sub)
                mpq_sub(r->coeffs[i], p->coeffs[i], q->coeffs[i]);
            else
                mpq_add(r->coeffs[i], p->coeffs[i], q->coeffs[i]);
        } else if (i <= dp) {
            mpq_set(r->coeffs[i], p->coeffs[i]);
        } else if (sub) {
            mpq_neg(r->coeffs[i], q->coeffs[i]);
        } else {
            mpq_set(r->coeffs[i], q->coeffs[i]);
        }
    }
    r->deg = n - 1;
    normalize(r);
}

void qpoly_add(qpoly_t r, const qpoly_t p, const qpoly_t q)
{
    addsub(r, p, q, 0);
}

void qpoly_sub(qpoly_t r, const qpoly_t p, const qpoly_t q)
{
    addsub(r, p, q, 1);
}

void qpoly_mul(qpoly_t r, const qpoly_t p, const qpoly_t q)
{
    if (p->deg < 0 || q->deg < 0) {
        r->deg = -1;
        return;
    }
    qpoly_t t;
    qpoly_init(t);
    long n = p->deg + q->deg + 1;
    fit(t, n);
    mpq_t u;
    mpq_init(u);
    for (long i = 0; i <= p->deg; i++)
        for (long j = 0; j <= q->deg; j++) {
            mpq_mul(u, p->coeffs[i], q->coeffs[j]);
            mpq_add(t->coeffs[i + j], t->coeffs[i + j], u);
        }
    t->deg = n - 1;
    normalize(t);
    qpoly_swap(r, t);
    mpq_clear(u);
    qpoly_clear(t);
}

void qpoly_scalar_mul(qpoly_t r, const qpoly_t p, const mpq_t c)
{
    if (mpq_sgn(c) == 0) {
        r->deg = -1;
        return;
    }
    long d = p->deg;
    fit(r, d + 1);
    for (long i = 0; i <= d; i++)
        mpq_mul(r->coeffs[i], p->coeffs[i], c);
    r->deg = d;
}

void qpoly_derivative(qpoly_t r, const qpoly_t p)
{
    long d = p->deg;
    if (d <= 0) {
        r->deg = -1;
        return;
    }
    fit(r, d);
    mpq_t k;
    mpq_init(k);
    for (long i = 1; i <= d; i++) {   /* ascending, so r aliasing p reads before writing */
        mpq_set_si(k, i, 1);
        mpq_mul(r->coeffs[i - 1], p->coeffs[i], k);
    }
    r->deg = d - 1;
    mpq_clear(k);
}

int qpoly_divrem(qpoly_t Q, qpoly_t R, const qpoly_t a, const qpoly_t b)
{
    if (b->deg < 0) {
        ae_error("qpoly_divrem", "division by the zero polynomial");
        return AE_EINVAL;
    }
    if (Q != NULL && Q == R) {
        ae_error("qpoly_divrem", "quotient and remainder must be distinct");
        return AE_EINVAL;
    }
    qpoly_t q, r;
    qpoly_init(q); qpoly_init(r);
    qpoly_set(r, a);
    long db = b->deg;
    mpq_t t;
    mpq_init(t);
    if (r->deg >= db) {
        fit(q, r->deg - db + 1);
        q->deg = r->deg - db;
        for (long k = r->deg - db; k >= 0; k--) {
            mpq_div(q->coeffs[k], r->coeffs[k + db], b->coeffs[db]);
            if (mpq_sgn(q->coeffs[k]) == 0)
                continue;
            for (long j = 0; j < db; j++) {
                mpq_mul(t, q->coeffs[k], b->coeffs[j]);
                mpq_sub(r->coeffs[k + j], r->coeffs[k + j], t);
            }
            mpq_set_ui(r->coeffs[k + db], 0, 1);
        }
        r->deg = db - 1;
        normalize(r);
        normalize(q);
    }
    if (Q != NULL)
        qpoly_swap(Q, q);
    if (R != NULL)
        qpoly_swap(R, r);
    mpq_clear(t);
    qpoly_clear(q); qpoly_clear(r);
    return AE_OK;
}

/* p <- p / lc(p) (p != 0). */
static void make_monic(qpoly_t p)
{
    if (p->deg < 0)
        return;
    mpq_t l;
    mpq_init(l);
    mpq_set(l, p->coeffs[p->deg]);
    for (long i = 0; i <= p->deg; i++)
        mpq_div(p->coeffs[i], p->coeffs[i], l);
    mpq_clear(l);
}

/* ---- integer helpers ------------------------------------------------------------
 * Remainder sequences and sign evaluations run on "integer polynomials": qpoly objects
 * whose coefficients all have denominator 1, so GMP's rational canonicalisation (a gcd
 * per operation) is avoided and the numerators are worked on with mpz functions. */

/* p <- p * c with the rational c > 0 chosen so that the coefficients become coprime
 * integers (signs, hence Sturm sign patterns, are unchanged). */
static void make_primitive(qpoly_t p)
{
    if (p->deg < 0)
        return;
    mpz_t L, G;
    mpz_init_set_ui(L, 1);
    mpz_init_set_ui(G, 0);
    qvec_den_lcm(L, (const mpq_t *) p->coeffs, 1, p->deg + 1);
    for (long i = 0; i <= p->deg; i++) {
        mpz_ptr num = mpq_numref(p->coeffs[i]), den = mpq_denref(p->coeffs[i]);
        mpz_divexact(den, L, den);
        mpz_mul(num, num, den);
        mpz_set_ui(den, 1);
        mpz_gcd(G, G, num);
    }
    if (mpz_cmp_ui(G, 1) != 0)
        for (long i = 0; i <= p->deg; i++)
            mpz_divexact(mpq_numref(p->coeffs[i]), mpq_numref(p->coeffs[i]), G);
    mpz_clears(L, G, NULL);
}

/* Pseudo-remainder of integer polynomials: r <- lc(b)^e a - q b with deg r < deg b
 * (b != 0), e the number of elimination steps, returned; r is then a multiple of the
 * rational remainder rem(a, b) by lc(b)^e.  r must not alias b. */
static long zprem(qpoly_t r, const qpoly_t a, const qpoly_t b)
{
    long db = b->deg, e = 0;
    mpz_srcptr lb = mpq_numref(b->coeffs[db]);
    mpz_t lr;
    mpz_init(lr);
    qpoly_set(r, a);
    while (r->deg >= db) {
        long top = r->deg, shift = top - db;
        mpz_set(lr, mpq_numref(r->coeffs[top]));
        for (long i = 0; i < top; i++)
            mpz_mul(mpq_numref(r->coeffs[i]), mpq_numref(r->coeffs[i]), lb);
        for (long j = 0; j < db; j++)
            mpz_submul(mpq_numref(r->coeffs[j + shift]), lr, mpq_numref(b->coeffs[j]));
        mpz_set_ui(mpq_numref(r->coeffs[top]), 0);
        r->deg--;
        normalize(r);
        e++;
    }
    mpz_clear(lr);
    return e;
}

/* Scratch integers for zsign_at, allocated once per caller instead of per evaluation. */
typedef struct { mpz_t acc, vp; } zscratch;

static void zs_init(zscratch *z) { mpz_inits(z->acc, z->vp, NULL); }
static void zs_clear(zscratch *z) { mpz_clears(z->acc, z->vp, NULL); }

/* Sign of the integer polynomial p at x = u/v (v > 0), from the integer
 * v^n p(u/v) = sum_i c_i u^i v^(n-i), evaluated by a homogeneous Horner scheme. */
static int zsign_at(const qpoly_t p, const mpq_t x, zscratch *z)
{
    long n = p->deg;
    if (n < 0)
        return 0;
    mpz_srcptr u = mpq_numref(x), v = mpq_denref(x);
    int v1 = mpz_cmp_ui(v, 1) == 0;
    mpz_set(z->acc, mpq_numref(p->coeffs[n]));
    mpz_set_ui(z->vp, 1);
    for (long i = n - 1; i >= 0; i--) {
        mpz_mul(z->acc, z->acc, u);
        if (v1) {
            mpz_add(z->acc, z->acc, mpq_numref(p->coeffs[i]));
        } else {
            mpz_mul(z->vp, z->vp, v);
            mpz_addmul(z->acc, mpq_numref(p->coeffs[i]), z->vp);
        }
    }
    return mpz_sgn(z->acc);
}

/* Monic gcd by the primitive pseudo-remainder sequence (integer arithmetic, contents
 * removed at each step), which is much cheaper than Euclid over Q on large inputs. */
void qpoly_gcd(qpoly_t g, const qpoly_t a, const qpoly_t b)
{
    qpoly_t x, y, r;
    qpoly_init(x); qpoly_init(y); qpoly_init(r);
    qpoly_set(x, a);
    qpoly_set(y, b);
    make_primitive(x);
    make_primitive(y);
    while (y->deg >= 0) {
        zprem(r, x, y);
        make_primitive(r);
        qpoly_swap(x, y);
        qpoly_swap(y, r);
    }
    make_monic(x);
    qpoly_swap(g, x);
    qpoly_clear(x); qpoly_clear(y); qpoly_clear(r);
}

int qpoly_squarefree(qpoly_t s, const qpoly_t p)
{
    if (p->deg < 0) {
        ae_error("qpoly_squarefree", "zero polynomial");
        return AE_EINVAL;
    }
    qpoly_t d, g;
    qpoly_init(d); qpoly_init(g);
    qpoly_derivative(d, p);
    qpoly_gcd(g, p, d);
    qpoly_divrem(s, NULL, p, g);
    make_monic(s);
    qpoly_clear(d); qpoly_clear(g);
    return AE_OK;
}

/* ---- evaluation ---------------------------------------------------------------- */

void qpoly_eval(mpq_t y, const qpoly_t p, const mpq_t x)
{
    mpq_t t;
    mpq_init(t);
    for (long i = p->deg; i >= 0; i--) {
        mpq_mul(t, t, x);
        mpq_add(t, t, p->coeffs[i]);
    }
    mpq_swap(y, t);
    mpq_clear(t);
}

int qpoly_sign_at(const qpoly_t p, const mpq_t x)
{
    mpq_t y;
    mpq_init(y);
    qpoly_eval(y, p, x);
    int s = mpq_sgn(y);
    mpq_clear(y);
    return s;
}

int qpoly_eval_qmat(qmat_t R, const qpoly_t p, const qmat_t A)
{
    long n = A->r;
    if (A->c != n || R->r != n || R->c != n) {
        ae_error("qpoly_eval_qmat", "need square A and R of equal size (A %ld x %ld, R %ld x %ld)",
                 A->r, A->c, R->r, R->c);
        return AE_EINVAL;
    }
    qmat_t B, S;
    qmat_init(B, n, n); qmat_init(S, n, n);
    qmat_set(B, A);   /* R may alias A */
    for (long i = p->deg; i >= 0; i--) {
        qmat_mul(S, S, B);
        for (long k = 0; k < n; k++)
            mpq_add(qmat_entry(S, k, k), qmat_entry(S, k, k), p->coeffs[i]);
    }
    qmat_swap(R, S);
    qmat_clear(B); qmat_clear(S);
    return AE_OK;
}

/* ---- characteristic polynomial (Berkowitz) ------------------------------------- */

/* Runs on the integer matrix M = delta A (delta the common denominator), since
 * det(xI - A) = delta^-n det(delta x I - M): coefficient n-i of A's polynomial is h_i /
 * delta^i, h_i being M's.  Integer arithmetic avoids a gcd per rational operation. */
int qpoly_charpoly(qpoly_t p, const qmat_t A)
{
    long n = A->r;
    if (A->c != n) {
        ae_error("qpoly_charpoly", "matrix is %ld x %ld, not square", A->r, A->c);
        return AE_EINVAL;
    }
    long nn = n * n;
    mpz_t *M = ae_malloc((size_t) (nn > 0 ? nn : 1) * sizeof(mpz_t));
    /* h, hn: coefficients from the highest power down; c: the Toeplitz column */
    long nh = 5 * n + 3;
    mpz_t *h = ae_malloc((size_t) nh * sizeof(mpz_t));
    mpz_t *hn = h + (n + 1), *c = hn + (n + 1), *v = c + (n + 1), *w = v + n;
    mpz_t delta;
    mpz_init(delta);
    for (long i = 0; i < nn; i++)
        mpz_init(M[i]);
    for (long i = 0; i < nh; i++)
        mpz_init(h[i]);
    if (n > 0)
        qmat_get_mpz_common(M, delta, A);
    mpz_set_ui(h[0], 1);
    for (long r = 1; r <= n; r++) {
        long m = r - 1;   /* the leading m x m block M_m, then row/column m */
        mpz_set_ui(c[0], 1);
        mpz_neg(c[1], M[m * n + m]);
        for (long i = 0; i < m; i++)
            mpz_set(v[i], M[i * n + m]);
        for (long k = 0; k < m; k++) {
            /* c[k+2] = -R M_m^k C with v = M_m^k C */
            mpz_set_ui(c[k + 2], 0);
            for (long j = 0; j < m; j++)
                mpz_submul(c[k + 2], M[m * n + j], v[j]);
            if (k + 1 < m) {
                for (long i = 0; i < m; i++) {
                    mpz_set_ui(w[i], 0);
                    for (long j = 0; j < m; j++)
                        mpz_addmul(w[i], M[i * n + j], v[j]);
                }
                for (long i = 0; i < m; i++)
                    mpz_swap(v[i], w[i]);
            }
        }
        /* hn = T_r h: hn[i] = sum_{j <= min(i, r-1)} c[i-j] h[j] */
        for (long i = 0; i <= r; i++) {
            mpz_set_ui(hn[i], 0);
            for (long j = 0; j <= i && j <= r - 1; j++)
                mpz_addmul(hn[i], c[i - j], h[j]);
        }
        for (long i = 0; i <= r; i++)
            mpz_swap(h[i], hn[i]);
    }
    fit(p, n + 1);
    mpz_set_ui(hn[0], 1);   /* hn[0] = delta^i */
    for (long i = 0; i <= n; i++) {
        mpq_set_num(p->coeffs[n - i], h[i]);
        mpq_set_den(p->coeffs[n - i], hn[0]);
        mpq_canonicalize(p->coeffs[n - i]);
        mpz_mul(hn[0], hn[0], delta);
    }
    p->deg = n;
    for (long i = 0; i < nn; i++)
        mpz_clear(M[i]);
    for (long i = 0; i < nh; i++)
        mpz_clear(h[i]);
    free(M);
    free(h);
    mpz_clear(delta);
    return AE_OK;
}

/* ---- Sturm sequences ----------------------------------------------------------- */

typedef struct {
    long len, cap;
    qpoly_struct *s;   /* s[0] square-free, s[1] ~ s[0]', ...: primitive integer polynomials */
    zscratch z;
} sturm_seq;

/* sq must be square-free of degree >= 1.  Each member is a positive multiple of the
 * classical one (s_{k+1} = -rem(s_{k-1}, s_k)), which leaves every sign pattern intact. */
static void sturm_build(sturm_seq *S, const qpoly_t sq)
{
    S->cap = sq->deg + 1;   /* degrees strictly decrease */
    S->s = ae_malloc((size_t) S->cap * sizeof(qpoly_struct));
    for (long i = 0; i < S->cap; i++)
        qpoly_init(&S->s[i]);
    zs_init(&S->z);
    qpoly_set(&S->s[0], sq);
    make_primitive(&S->s[0]);
    qpoly_derivative(&S->s[1], &S->s[0]);
    make_primitive(&S->s[1]);
    S->len = 2;
    /* ends at a nonzero constant because gcd(sq, sq') = 1 */
    while (S->s[S->len - 1].deg > 0) {
        qpoly_struct *b = &S->s[S->len - 1], *r = &S->s[S->len];
        long e = zprem(r, &S->s[S->len - 2], b);
        /* r = lc(b)^e rem: negate unless lc(b)^e < 0, to get a positive multiple of -rem */
        if (!(mpq_sgn(b->coeffs[b->deg]) < 0 && (e & 1)))
            for (long i = 0; i <= r->deg; i++)
                mpq_neg(r->coeffs[i], r->coeffs[i]);
        make_primitive(r);
        S->len++;
    }
}

static void sturm_free(sturm_seq *S)
{
    for (long i = 0; i < S->cap; i++)
        qpoly_clear(&S->s[i]);
    free(S->s);
    zs_clear(&S->z);
}

/* Sign changes at x; x == NULL with dir = -1 / +1 means -inf / +inf. */
static long sturm_V(sturm_seq *S, const mpq_t x, int dir)
{
    long changes = 0;
    int prev = 0;
    for (long i = 0; i < S->len; i++) {
        const qpoly_struct *q = &S->s[i];
        int sg;
        if (x != NULL) {
            sg = zsign_at(q, x, &S->z);
        } else {
            sg = mpq_sgn(q->coeffs[q->deg]);
            if (dir < 0 && (q->deg & 1))
                sg = -sg;
        }
        if (sg == 0)
            continue;
        if (prev != 0 && sg != prev)
            changes++;
        prev = sg;
    }
    return changes;
}

long qpoly_sturm_count(const qpoly_t p, const mpq_t a, const mpq_t b)
{
    if (p->deg < 0) {
        ae_error("qpoly_sturm_count", "zero polynomial has infinitely many roots");
        return -1;
    }
    if (a != NULL && b != NULL && mpq_cmp(a, b) >= 0)
        return 0;
    qpoly_t sq;
    qpoly_init(sq);
    qpoly_squarefree(sq, p);
    long count = 0;
    if (sq->deg >= 1) {
        sturm_seq S;
        sturm_build(&S, sq);
        count = sturm_V(&S, a, -1) - sturm_V(&S, b, +1);
        sturm_free(&S);
    }
    qpoly_clear(sq);
    return count;
}

/* Yun's square-free factorisation: f = lc * prod_{i=1}^{k} a[i-1]^i, a[i] square-free,
 * pairwise coprime (some may be 1), returned as primitive integer polynomials.  f has
 * degree >= 1.  Returns k and a malloc'ed array of k initialised polynomials. */
static long yun(qpoly_struct **out, const qpoly_t f)
{
    qpoly_t fp, a0, b, c, d, t;
    qpoly_init(fp); qpoly_init(a0); qpoly_init(b);
    qpoly_init(c); qpoly_init(d); qpoly_init(t);
    qpoly_derivative(fp, f);
    qpoly_gcd(a0, f, fp);
    qpoly_divrem(b, NULL, f, a0);
    qpoly_divrem(c, NULL, fp, a0);
    qpoly_derivative(t, b);
    qpoly_sub(d, c, t);
    long k = 0;
    qpoly_struct *a = ae_malloc((size_t) f->deg * sizeof(qpoly_struct));
    while (b->deg > 0) {
        qpoly_init(&a[k]);
        qpoly_gcd(&a[k], b, d);
        qpoly_divrem(b, NULL, b, &a[k]);
        qpoly_divrem(c, NULL, d, &a[k]);
        qpoly_derivative(t, b);
        qpoly_sub(d, c, t);
        make_primitive(&a[k]);
        k++;
    }
    qpoly_clear(fp); qpoly_clear(a0); qpoly_clear(b);
    qpoly_clear(c); qpoly_clear(d); qpoly_clear(t);
    *out = a;
    return k;
}

long qpoly_real_root_count_mult(const qpoly_t p)
{
    if (p->deg < 0) {
        ae_error("qpoly_real_root_count_mult", "zero polynomial");
        return -1;
    }
    if (p->deg == 0)
        return 0;
    qpoly_struct *a;
    long k = yun(&a, p), total = 0;
    for (long i = 0; i < k; i++) {
        if (a[i].deg > 0)
            total += (i + 1) * qpoly_sturm_count(&a[i], NULL, NULL);
        qpoly_clear(&a[i]);
    }
    free(a);
    return total;
}

/* ---- root isolation ------------------------------------------------------------ */

void qpoly_roots_init(qpoly_roots_t R)
{
    R->n = 0;
    R->alloc = 0;
    R->lo = R->hi = NULL;
    R->mult = NULL;
}

void qpoly_roots_clear(qpoly_roots_t R)
{
    qvec_clear(R->lo, R->alloc);
    qvec_clear(R->hi, R->alloc);
    free(R->mult);
    qpoly_roots_init(R);
}

/* Room for n roots (old contents dropped). */
static void roots_fit(qpoly_roots_t R, long n)
{
    R->n = 0;
    if (n <= R->alloc)
        return;
    qpoly_roots_clear(R);
    R->lo = qvec_init(n);
    R->hi = qvec_init(n);
    R->mult = ae_calloc((size_t) n, sizeof(long));
    R->alloc = n;
}

/* One bisection step of (lo, hi) holding one simple root of the integer square-free
 * polynomial sq (sq(lo), sq(hi) != 0).  Returns 1 if the midpoint is the root (then
 * lo = hi = root). */
static int bisect_step(mpq_t lo, mpq_t hi, const qpoly_t sq, mpq_t mid, zscratch *z)
{
    mpq_add(mid, lo, hi);
    mpq_div_2exp(mid, mid, 1);
    int sm = zsign_at(sq, mid, z);
    if (sm == 0) {
        mpq_set(lo, mid);
        mpq_set(hi, mid);
        return 1;
    }
    if (sm == zsign_at(sq, lo, z))
        mpq_set(lo, mid);
    else
        mpq_set(hi, mid);
    return 0;
}

static int wider_than(const mpq_t lo, const mpq_t hi, long prec, mpq_t tmp)
{
    mpq_sub(tmp, hi, lo);
    mpq_mul_2exp(tmp, tmp, (mp_bitcnt_t) prec);
    return mpq_cmp_ui(tmp, 1, 1) > 0;
}

/* B = 2^k with every root of p (degree n >= 1) in (-B, B): Fujiwara's bound
 * |z| <= 2 max_i |c_{n-i}/c_n|^(1/i), with |c| < 2^(bits(num) - bits(den) + 1). */
static void root_bound(mpq_t B, const qpoly_t p)
{
    long n = p->deg, e = 0;
    mpq_t q;
    mpq_init(q);
    for (long i = 1; i <= n; i++) {
        if (mpq_sgn(p->coeffs[n - i]) == 0)
            continue;
        mpq_div(q, p->coeffs[n - i], p->coeffs[n]);
        long b = (long) mpz_sizeinbase(mpq_numref(q), 2) - (long) mpz_sizeinbase(mpq_denref(q), 2) + 1;
        long ei = b > 0 ? (b + i - 1) / i : 0;   /* ceil(b / i), and B >= 2 anyway */
        if (ei > e)
            e = ei;
    }
    mpq_set_ui(B, 1, 1);
    mpq_mul_2exp(B, B, (mp_bitcnt_t) (e + 1));
    mpq_clear(q);
}

typedef struct { mpq_t a, b; long Va, Vb; } work_item;

/* Pushes (a, b) unless it holds no root, so the stack only holds disjoint intervals
 * with roots: at most N items. */
static void push(work_item *W, long *top, const mpq_t a, const mpq_t b, long Va, long Vb)
{
    if (Va - Vb <= 0)
        return;
    work_item *it = &W[(*top)++];
    mpq_set(it->a, a);
    mpq_set(it->b, b);
    it->Va = Va;
    it->Vb = Vb;
}

int qpoly_real_roots(qpoly_roots_t R, const qpoly_t p, long prec)
{
    if (p->deg < 0 || prec < 0) {
        ae_error("qpoly_real_roots", p->deg < 0 ? "zero polynomial" : "negative precision");
        return AE_EINVAL;
    }
    R->n = 0;
    if (p->deg == 0)
        return AE_OK;
    qpoly_t sqr;
    qpoly_init(sqr);
    qpoly_squarefree(sqr, p);
    sturm_seq S;
    sturm_build(&S, sqr);
    const qpoly_struct *sq = &S.s[0];   /* integer version of the square-free part */
    zscratch *z = &S.z;
    long N = sturm_V(&S, NULL, -1) - sturm_V(&S, NULL, +1);
    roots_fit(R, N > 0 ? N : 1);

    mpq_t B, t, mid, l, r, eps, ia, ib;
    mpq_inits(B, t, mid, l, r, eps, ia, ib, NULL);
    root_bound(B, sqr);

    /* work stack of open intervals (a, b) with non-root endpoints and V(a) - V(b) >= 1
     * roots inside */
    long cap = N + 1, top = 0;
    work_item *W = ae_malloc((size_t) cap * sizeof(work_item));
    for (long i = 0; i < cap; i++)
        mpq_inits(W[i].a, W[i].b, NULL);
    mpq_neg(l, B);
    push(W, &top, l, B, sturm_V(&S, l, 0), sturm_V(&S, B, 0));
    while (top > 0) {
        work_item *it = &W[--top];
        long c = it->Va - it->Vb, Va = it->Va, Vb = it->Vb;
        mpq_swap(ia, it->a);
        mpq_swap(ib, it->b);
        if (c == 1) {
            long k = R->n++;
            mpq_set(R->lo[k], ia);
            mpq_set(R->hi[k], ib);
            while (wider_than(R->lo[k], R->hi[k], prec, t))
                if (bisect_step(R->lo[k], R->hi[k], sq, mid, z))
                    break;
            continue;
        }
        mpq_add(mid, ia, ib);
        mpq_div_2exp(mid, mid, 1);
        if (zsign_at(sq, mid, z) != 0) {
            long Vm = sturm_V(&S, mid, 0);
            push(W, &top, ia, mid, Va, Vm);
            push(W, &top, mid, ib, Vm, Vb);
            continue;
        }
        /* mid is a rational root: report it exactly, then step around it by a gap eps
         * that leaves no other root in [mid - eps, mid + eps] */
        long k = R->n++;
        mpq_set(R->lo[k], mid);
        mpq_set(R->hi[k], mid);
        mpq_sub(eps, ib, ia);
        mpq_div_2exp(eps, eps, 2);
        long Vl, Vr;
        for (;;) {
            mpq_sub(l, mid, eps);
            mpq_add(r, mid, eps);
            if (zsign_at(sq, l, z) != 0) {
                Vl = sturm_V(&S, l, 0);
                Vr = sturm_V(&S, r, 0);
                if (Vl - Vr == 1)
                    break;
            }
            mpq_div_2exp(eps, eps, 1);
        }
        push(W, &top, ia, l, Va, Vl);
        push(W, &top, r, ib, Vr, Vb);
    }

    /* sort by lower end (insertion sort: n <= degree, small) */
    for (long i = 1; i < R->n; i++)
        for (long j = i; j > 0 && mpq_cmp(R->lo[j - 1], R->lo[j]) > 0; j--) {
            mpq_swap(R->lo[j - 1], R->lo[j]);
            mpq_swap(R->hi[j - 1], R->hi[j]);
        }
    /* neighbours split at a common non-root midpoint may share that endpoint; the root
     * is strictly below it, so bisecting the lower interval eventually separates them */
    for (long i = 0; i + 1 < R->n; i++)
        while (mpq_cmp(R->hi[i], R->lo[i + 1]) >= 0)
            bisect_step(R->lo[i], R->hi[i], sq, mid, z);

    /* multiplicities from Yun's factors: the root of interval i is a root of exactly one
     * factor a_j, which (square-free, roots a subset of sq's) changes sign across it */
    qpoly_struct *a;
    long k = yun(&a, p);
    for (long i = 0; i < R->n; i++) {
        R->mult[i] = 0;
        int exact = mpq_equal(R->lo[i], R->hi[i]);
        for (long j = 0; j < k && R->mult[i] == 0; j++) {
            if (a[j].deg <= 0)
                continue;
            int sl = zsign_at(&a[j], R->lo[i], z);
            if (exact ? sl == 0 : sl * zsign_at(&a[j], R->hi[i], z) < 0)
                R->mult[i] = j + 1;
        }
    }
    for (long j = 0; j < k; j++)
        qpoly_clear(&a[j]);
    free(a);

    for (long i = 0; i < cap; i++)
        mpq_clears(W[i].a, W[i].b, NULL);
    free(W);
    mpq_clears(B, t, mid, l, r, eps, ia, ib, NULL);
    sturm_free(&S);
    qpoly_clear(sqr);
    return AE_OK;
}
