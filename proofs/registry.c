/* registry — the one table of claim verifications (see proof.h). */
#include "proof.h"

#include <string.h>
#include <strings.h>

const proof_entry proof_registry[] = {
    {"L1", "range reconstruction: every point of m + col(W_d) has score 0", PROOF_THEOREM, proof_L1},
    {"L2", "the optimal linear AE is PCA (Baldi-Hornik), loss = sum of trailing eigenvalues", PROOF_THEOREM, proof_L2},
    {"L3", "out-of-bounds anomalies along the principal subspace score 0 <= s_min", PROOF_THEOREM, proof_L3},
    {"L4", "extrapolation invariance: e(x + t w) = e(x) for w in col(W_d)", PROOF_THEOREM, proof_L4},
    {"L5", "distance bound ||a - x_i|| >= c - ||V^T(x_i - mean)||; the squared form is false", PROOF_THEOREM, proof_L5},
    {"L6", "float-trained linear AEs: imperfection lifts far scores, eigenvalue 1 does not", PROOF_THEOREM, proof_L6},
    {"N1", "piecewise affinity along rays: exact breakpoints, affine pieces, quadratic score beyond T", PROOF_THEOREM, proof_N1},
    {"N2", "asymptotic homogeneity: f(cx) = c f(x) without biases; final slope beta = f0(v)", PROOF_THEOREM, proof_N2},
    {"N3", "ReLU AEs can be linear AEs: h+ - h- decoder equals the linear AE everywhere; the diagonal experiment", PROOF_THEOREM, proof_N3},
    {"N4", "blind rays in trained ReLU / leaky-ReLU AEs: scan verdicts (FAILS / SAFE / UNDECIDED), certificates re-checked exactly", PROOF_EXPERIMENT, proof_N4},
    {"N5", "bounded activations: certified radius R* = B + sqrt(s_min), yet certified low-score pockets between the clusters (Arb)", PROOF_EXPERIMENT, proof_N5},
    {"N6", "smooth AEs (softplus, GELU, SiLU) within K of their ReLU twins: twin verdicts transferred with Arb-certified scores", PROOF_EXPERIMENT, proof_N6},
    {"M1", "remedy: SPE + Hotelling T2 (Yue-Qin) flags every point of a PCA AE beyond a computable distance D*, so every L3/L4 counterexample", PROOF_THEOREM, proof_M1},
    {"M2", "remedies against every counterexample: SPE, T2, SPE+T2, Mahalanobis, kNN, box at 99 % limits; ROC AUC on held-out classes", PROOF_EXPERIMENT, proof_M2},
    {"P1", "precision: the exact zero-score anomalies of L3 in float32 ... mpfr1024, c = 1e0..1e300: where rounding lifts the score above s_min, where it overflows", PROOF_EXPERIMENT, proof_P1},
    {"P2", "float-trained linear AEs vs the exact optimum: certified 1 - lambda, principal angles (MPFR) and detection distance against training length", PROOF_EXPERIMENT, proof_P2},
    {"P3", "conditioning: eigengap 1e-1..1e-15, angle of the double (GSL) vs MPFR principal subspace to the exact one; far points whose verdict flips", PROOF_EXPERIMENT, proof_P3},
    {"P4", "precision: score ranks and ROC AUC of trained ReLU AEs in float32, float64, long double, binary128, mpfr11, mpfr8 vs exact; flipped pairs", PROOF_EXPERIMENT, proof_P4},
};
const long proof_registry_len = (long) (sizeof proof_registry / sizeof proof_registry[0]);

const proof_entry *proof_find(const char *id)
{
    for (long i = 0; i < proof_registry_len; i++)
        if (strcasecmp(proof_registry[i].id, id) == 0)
            return &proof_registry[i];
    return NULL;
}
