/* pdcert — certified positive definiteness (floating-point Cholesky with Rump's a-priori
 * error bound) and certified upper bounds of the largest eigenvalue of an integer Gram
 * matrix, lambda_max(A^T A) = ||A||_2^2.
 *
 * The theorem (S. M. Rump, "Verification of positive definiteness", BIT Numer. Math. 46
 * (2006) 433-452, Corollary 2.4 of Theorem 2.3; machine-checked in Coq by P. Roux,
 * ValidSDP, lemma corollary_2_4_with_c_upper_bound):
 *   Let A be a symmetric n x n matrix of binary64 numbers with 0 <= A_ii <= d, u = 2^-53
 *   (unit roundoff), eta = 2^-1074 (the least subnormal), gamma_k = k u / (1 - k u),
 *   3 (n + 1) u < 1, and
 *       c >= gamma_{n+1} / (1 - 2 gamma_{n+1}) tr(A) + 4 n (2 (n + 2) + d) eta.
 *   Let At be a binary64 matrix equal to A above the diagonal with At_ii <= A_ii - c (as
 *   real numbers).  If the floating-point Cholesky decomposition of At (IEEE binary64,
 *   round to nearest, the algorithm below) runs to completion -- every computed diagonal
 *   element R_jj > 0 and no overflow -- then A is positive definite.
 * The Coq statement has the smaller c = gamma_{n+1} tr(A) + 4 n (2 (n + 1) + d) eta; the
 * c used here is TWICE the (larger) formula above, a margin against misreading a
 * constant that costs nothing (c is ~ 1e-11 relative for n = 256).
 * The algorithm (upper triangular R, At = R^T R), summed left to right:
 *   for j = 0..n-1:  for i < j:  R_ij = (At_ij - R_0i R_0j - ... - R_{i-1,i} R_{i-1,j}) / R_ii;
 *                    R_jj = sqrt(At_jj - R_0j^2 - ... - R_{j-1,j}^2).
 * Each product is a separate statement, so even a compiler that contracts within one
 * expression (clang's default) forms no fused multiply-add; gcc in ISO C mode (the
 * build's -std=c11) does not contract at all.  Nothing here changes the rounding mode.
 *
 * Misuse (ae_error, then AE_EINVAL): NULL arguments, negative sizes (pdcert_chol: n
 * above 2^24 too), non-finite entries, a matrix that is not exactly symmetric.
 */
#ifndef PDCERT_H
#define PDCERT_H

#include <gmp.h>

/* 1 if the n x n row-major double matrix A (exactly symmetric, finite), read as the
 * exact real matrix its entries denote, is certified positive definite by the theorem
 * above; 0 if the certificate fails (A is then not necessarily indefinite: a positive
 * definite A with lambda_min below about n^2 u max_i A_ii fails too).  A negative
 * diagonal entry gives 0.  n = 0 gives 1.  AE_EINVAL on misuse.  A is not modified. */
int pdcert_chol(const double *A, long n);

/* Bounds of lambda_max(G) for the Gram matrix G of an m x n integer matrix A (row-major
 * mpz entries; As, when not NULL, the same entries as machine longs, used for the fast
 * exact products), G = A^T A when n <= m, else A A^T (same nonzero spectrum, the
 * smaller side; lambda_max(G) = ||A||_2^2).  G is formed exactly: entries split into
 * at most 4 signed 56-bit chunks whose products are summed in __int128 (no overflow
 * while max(m, n) < 2^15), else plain mpz products.  256 x 784, 24-bit entries: ~0.04 s
 * (with As or without); 2 chunks (float64 mantissas): ~0.09 s.
 *   lc = max_i (|G| x)_i / x_i, exactly, for a positive integer x from a float power
 *        iteration on |G|: lambda_max(G) <= rho(|G|) <= lc (Collatz-Wielandt).
 *   lr = mu 2^s with mu a double: mu I - G 2^-s is certified positive definite by
 *        pdcert_chol (see pdcert.c for the matrix handed to it and its rounding terms),
 *        so lambda_max(G) < lr.  mu = lambda (1 + 2^-k) for the GSL eigenvalue lambda of
 *        the rounded G, k = 30, 20, 10, 5, 2 tried in turn.
 * Returns AE_OK when lr is so certified; AE_NOTVERIFIED when every attempt failed (or GSL
 * failed), and then lr = lc (still a valid bound).  G = 0 (also m or n = 0) gives
 * lr = lc = 0 and AE_OK.  lr, lc must be distinct; misuse as above (NULL A, lr or lc,
 * m or n < 0). */
int pdcert_gram_lmax(mpq_t lr, mpq_t lc, const mpz_t *A, const long *As, long m, long n);

#endif
