/* reig — eigen-decomposition of real symmetric matrices at MPFR precision.
 *
 * A solution E for an n x n symmetric rmat A of precision p holds
 *   values[0..n-1]   approximate eigenvalues, sorted descending (precision p);
 *   vectors          n x n rmat of precision p whose column i approximates a unit
 *                    eigenvector for values[i] (columns orthonormal to about 2^-p);
 *   resid[0..n-1]    RIGOROUS upper bounds: resid[i] >= ||A v - lambda v||_2 / ||v||_2 with
 *                    v = column i and lambda = values[i] exactly as stored, and A exactly as
 *                    given (see reig_resid_bound).  Since A is symmetric, it has an
 *                    eigenvalue within resid[i] of values[i] (residual bound).
 * For well-conditioned input the bounds are about 2^-p ||A||.  The approximations
 * themselves (values, vectors) carry no guarantee beyond what resid certifies.
 *
 * Misuse (ae_error, then AE_EINVAL): A not square, n != E->n, A->prec != E->prec (the
 * solver works at the precision of its output; convert A first with rmat_set, which is
 * exact when raising precision), A not exactly symmetric, NaN/Inf entries.
 */
#ifndef REIG_H
#define REIG_H

#include <gmp.h>
#include <mpfr.h>

#include "rmat.h"

typedef struct {
    long n;
    mpfr_prec_t prec;
    mpfr_t *values;     /* n, descending */
    rmat_t vectors;     /* n x n, column i belongs to values[i] */
    mpfr_t *resid;      /* n rigorous residual bounds */
} reig_struct;
typedef reig_struct reig_t[1];

/* E for n x n matrices at precision prec (n >= 0, valid MPFR precision; else misuse and,
 * if the handler returns, E is a valid n = 0 solution).  Values, vectors, bounds are zero. */
void reig_init(reig_t E, long n, mpfr_prec_t prec);
void reig_clear(reig_t E);

/* Cyclic Jacobi with a threshold (rotations skipped when |a_pq| <= 2^-w ||A||_F), at the
 * working precision w = prec + 32 + ceil(log2(n+1)), then rounded to prec.  Slow
 * (O(n^3) per sweep, ~10 sweeps) but independent of GSL: the reference method.
 * Returns AE_OK, AE_NOTCONV (more than 100 sweeps; E still holds the last iterate with
 * valid bounds), or AE_EINVAL on misuse. */
int reig_sym_jacobi(reig_t E, const rmat_t A);

/* The fast solver.  Double-precision eigenvectors from GSL (gsl_eigen_symmv on A scaled
 * by a power of two) are refined by Ogita–Aishima iterations
 *     R = I - X^T X,  S = X^T A X,  lambda_i = s_ii / (1 - r_ii),
 *     E_ij = (s_ij + lambda_j r_ij) / (lambda_j - lambda_i)  if |lambda_i - lambda_j| > delta,
 *     E_ij = r_ij / 2 otherwise,      X <- X + X E,
 * with delta = 2 (||S - diag(lambda)||_F + ||A||_F ||R||_F).  Convergence is quadratic, so
 * the working precision w roughly doubles each step up to prec + 32 + ceil(log2(n+1)).
 * The n^3 products run exactly in fixed-point integers (X = Xz 2^-w, A rounded to w bits
 * relative to its largest entry).  Converged when |r_ij| <= 2^-(prec+4) and
 * |s_ij| <= 2^-(prec+4) ||A||_F for all i != j, either measured or guaranteed in advance by
 * a norm bound on the last full-precision correction (see oa_predict_converged).
 * Near-repeated eigenvalues that the formula cannot separate (pairs inside delta whose
 * s_ij stays large) are resolved by a Jacobi pass on X^T A X that rotates X, after which
 * refinement resumes.  Cost: about 3 n^3 integer multiply-adds per step, 3-4 steps.
 * Returns AE_OK, AE_NOTCONV (E then holds the best iterate with valid bounds), or
 * AE_EINVAL on misuse.  If GSL fails, falls back to reig_sym_jacobi.
 * Canonical output: the refinement runs at P = p + max(p, 128) bits and the result is
 * rounded to p; eigenvalues closer than 2^-(P-p-40) ||A||_F are treated as one cluster
 * whose basis is replaced by a canonical one (pivoted Gram–Schmidt on the columns of its
 * projector); each column's entry of largest magnitude is made positive.  So the output
 * does not depend on the double start (GSL, BLAS, CPU): see reig.c for the argument and
 * tests/test_reig.c for the check (perturbed, permuted, sign-flipped starts). */
int reig_sym(reig_t E, const rmat_t A);

/* reig_sym from the start X0 (n x n, finite, any precision; its columns approximate
 * eigenvectors to a few bits or better) instead of GSL's: for tests of the
 * start-independence.  Misuse (also a bad X0): AE_EINVAL. */
int reig_sym_start(reig_t E, const rmat_t A, const rmat_t X0);

/* bound = an upper bound (rounded up at bound's precision) on ||A v - lambda v||_2 / ||v||_2
 * where v is column j of V (V has n = A->r rows), all taken exactly as given.  How: every
 * component sum_k a_ik v_k - lambda v_i is formed from exact products and summed by
 * mpfr_sum at precision prec(A) + prec(V) + 64; mpfr_sum is correctly rounded and reports
 * exactness, so the component is either exact or within one ulp, which is added.  The
 * norm uses upward rounding throughout and ||v|| is rounded down.  Returns AE_OK, or
 * AE_EINVAL on misuse (A not square, dims, j out of range, non-finite input).  v = 0 gives
 * +Inf. */
int reig_resid_bound(mpfr_t bound, const rmat_t A, const mpfr_t lambda, const rmat_t V,
                     long j);

#endif
