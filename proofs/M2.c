/* M2 — placeholder, filled in below. */
#include "proof.h"
int proof_M2(const proof_ctx *ctx, proof_result *res)
{
    (void) ctx;
    proof_set(res, VERDICT_ERROR, "not yet");
    return 0;
}
