/* qmat_internal — helpers shared by the files of the qmat module (qmat.c, qmat_elim.c);
 * not part of the public interface. */
#ifndef QMAT_INTERNAL_H
#define QMAT_INTERNAL_H

#include "qmat.h"

/* 1 if A and B have the same dimensions; otherwise reports misuse for func, returns 0. */
int _qmat_same_dims(const char *func, const qmat_t A, const qmat_t B);


#endif
