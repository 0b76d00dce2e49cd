#!/usr/bin/python3
"""Peer for bench_eig: mpmath.eigsy on the same matrix.

Usage: peer_eig_mpmath.py FILE PREC
FILE: first line n, then n*n entries (row-major), one exact fraction "p/q" or integer per
line.  Prints one line "peer_s=S resid=R", where S times only the eigsy call at
mp.prec = PREC and R = max_i ||A v_i - l_i v_i||_2 evaluated at 4*PREC bits (the
eigenpairs and A are exact at that precision, so R is the residual of eigsy's output to
about 2^-(4 PREC)).  Prints "NA" and exits 0 if mpmath is not available.
"""
import sys
import time
from fractions import Fraction

try:
    import mpmath
except ImportError:
    print("NA")
    sys.exit(0)


def main():
    path, prec = sys.argv[1], int(sys.argv[2])
    with open(path) as f:
        tokens = f.read().split()
    n = int(tokens[0])
    fr = [Fraction(t) for t in tokens[1:1 + n * n]]
    if len(fr) != n * n:
        sys.exit("peer_eig_mpmath: short file")
    mp = mpmath.mp
    mp.prec = prec
    # p/q with q a power of two and |p| < 2^prec: exact at this precision
    A = mp.matrix(n, n)
    for i in range(n):
        for j in range(n):
            x = fr[i * n + j]
            A[i, j] = mp.mpf(x.numerator) / x.denominator
    t0 = time.perf_counter()
    E, Q = mp.eigsy(A)
    t1 = time.perf_counter()
    mp.prec = 4 * prec
    worst = mp.mpf(0)
    for k in range(n):
        lam = E[k]
        s2 = mp.mpf(0)
        for i in range(n):
            r = -lam * Q[i, k]
            for j in range(n):
                r += A[i, j] * Q[j, k]
            s2 += r * r
        worst = max(worst, mp.sqrt(s2))
    print("peer_s=%.3f resid=%s" % (t1 - t0, mpmath.nstr(worst, 3)))


if __name__ == "__main__":
    main()
