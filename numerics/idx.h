/* idx — IDX files (the format of MNIST and Fashion-MNIST), optionally gzip-compressed.
 *
 * An IDX file is a 4-byte magic 0x00 0x00 TYPE NDIM, then NDIM big-endian 32-bit sizes,
 * then the product of the sizes in elements of TYPE, big-endian, row-major.  Only TYPE 0x08
 * (unsigned byte), the type of every MNIST-style file, is read.  Files are read through
 * zlib's gzread, which reads gzip and plain files alike.
 */
#ifndef IDX_H
#define IDX_H

#include <stddef.h>

/* Debian's dataset-fashion-mnist installs its four files here. */
#define IDX_DEFAULT_DIR "/usr/share/datasets/fashion-mnist/"

/* Cap on the data bytes an IDX header may declare (the product of its sizes): 2^28 =
 * 256 MiB, 5.7 times Fashion-MNIST's 47 MB training images.  The cap is what the commands
 * can hold: train and eval turn each byte into a double, so 256 MiB of pixels become 2 GiB.
 * Headers above it are refused at once; below it nothing is allocated before the data
 * arrive: a plain file whose size is below the declared size is refused from its size,
 * and a gzip stream is inflated in chunks into a buffer that grows with the data, never
 * past the declared size. */
#define IDX_MAX_BYTES (1L << 28)

typedef struct {
    int ndim;            /* 1..4 */
    long dims[4];
    long count;          /* product of dims */
    unsigned char *data; /* count bytes */
} idx_struct;
typedef idx_struct idx_t[1];

void idx_init(idx_t A);
void idx_clear(idx_t A);

/* Reads path into A (replacing its contents).  Returns AE_OK; AE_EIO (cannot open/read);
 * AE_EPARSE (bad magic, a type other than unsigned byte, a zero dimension or a declared
 * size above IDX_MAX_BYTES, truncated data, trailing bytes, corrupt gzip stream), with
 * err = "PATH: reason";
 * A unchanged on error. */
int idx_load(idx_t A, const char *path, char *err, size_t errlen);

/* Loads a split of an MNIST-style directory: split "train" reads
 * DIR/train-images-idx3-ubyte[.gz] and DIR/train-labels-idx1-ubyte[.gz], "t10k" (or
 * "test") the t10k- files; the .gz name is tried first.  *X gets n x d doubles
 * (row-major, d = rows*cols) with pixel value k as k/255 rounded to nearest, unless raw
 * (then k itself); *labels gets n labels.  The caller frees both with free().  Errors as
 * idx_load, plus AE_EPARSE when the two files disagree on n or are not 3-D images and
 * 1-D labels. */
int idx_load_split(double **X, long **labels, long *n, long *d, const char *dir,
                   const char *split, int raw, char *err, size_t errlen);

#endif
