#!/bin/sh
# repro.sh — do the published tables depend on the CPU?  Runs `aeaudit verify` once per
# configuration that imitates another x86-64 machine on this one, and compares every table
# (CSV and Markdown) byte for byte with the first (reference) run.
#
#   sh tests/repro.sh [--quick] [--out DIR] [--only "ID ..."] [--configs "NAME ..."]
#
# --only passes claim IDs to verify; --configs runs only the named configurations (the
# reference always runs first).
#
# Configurations (each a fresh `aeaudit verify [--quick] --out DIR/NAME`):
#   reference    bin/aeaudit as built
#   prescott, sandybridge, haswell, skylakex
#                OPENBLAS_CORETYPE=...  (SkylakeX only when /proc/cpuinfo has avx512f); the
#                suite no longer links OpenBLAS (only `--kernels blas` dlopens it), so these
#                must change nothing -- they guard against it coming back
#   nofma        GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F: glibc 2.36's names
#                (the pre-2.33 *_Usable names are silently ignored); libm then runs its
#                AVX/SSE2 (non-FMA) variants of exp, log, pow, sin, cos, ...
#   sse2         GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX,-AVX2,-FMA,-FMA4,-AVX512F: the baseline
#                x86-64 (SSE2) variants everywhere, as on the oldest 64-bit CPUs
#   oldcpu       Prescott kernels and the sse2 tunables together
#   scalar       bin/aeaudit-scalar: the float engine with every SIMD path compiled out
# Before the runs, build/repro_libm (tests/repro_libm.c) prints checksums of glibc's and
# pmath's functions under each tunable: the glibc ones must change (proof that the
# tunable selected another libm variant), the pmath ones must not.
# Exit status 0 iff every configuration reproduced every table of the reference run.
set -u
QUICK=""
OUT=build/repro
ONLY=""
CONFIGS="prescott sandybridge haswell skylakex nofma sse2 oldcpu scalar"
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) QUICK="--quick" ;;
    --out) OUT="$2"; shift ;;
    --only) ONLY="$2"; shift ;;
    --configs) CONFIGS="$2"; shift ;;
    *) echo "usage: sh tests/repro.sh [--quick] [--out DIR] [--only \"ID ...\"] [--configs \"NAME ...\"]" >&2
       exit 2 ;;
    esac
    shift
done
BIN=${BIN:-bin}
CC=${CC:-cc}
[ -x "$BIN/aeaudit" ] && [ -x "$BIN/aeaudit-scalar" ] || {
    echo "repro: build first (make $BIN/aeaudit $BIN/aeaudit-scalar)" >&2; exit 2; }
rm -rf "$OUT" && mkdir -p "$OUT" || exit 2

NOFMA="glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F"
SSE2="glibc.cpu.hwcaps=-AVX,-AVX2,-FMA,-FMA4,-AVX512F"

# -- the libm probe --------------------------------------------------------------------
if $CC -std=c11 -O2 -Inumerics tests/repro_libm.c numerics/pmath.c -ffp-contract=off \
        -o "$OUT/repro_libm" -lm; then
    "$OUT/repro_libm" > "$OUT/libm-default.txt"
    GLIBC_TUNABLES=$NOFMA "$OUT/repro_libm" > "$OUT/libm-nofma.txt"
    GLIBC_TUNABLES=$SSE2 "$OUT/repro_libm" > "$OUT/libm-sse2.txt"
    for t in nofma sse2; do
        g=$(paste "$OUT/libm-default.txt" "$OUT/libm-$t.txt" | awk '$1 ~ /^glibc/ && $2 != $4' | wc -l)
        p=$(paste "$OUT/libm-default.txt" "$OUT/libm-$t.txt" | awk '$1 ~ /^pmath/ && $2 != $4' | wc -l)
        echo "repro: libm probe under $t: $g of 14 glibc functions changed bits (0 = the tunable had no effect or the CPU has no FMA), $p of 9 pmath functions changed bits (must be 0)"
        [ "$p" -eq 0 ] || echo "repro: FAIL: pmath depends on the libm variant"
    done
else
    echo "repro: could not build the libm probe"
fi

# -- the runs --------------------------------------------------------------------------
run() {   # NAME [VAR=VALUE...] BINARY
    name=$1; shift
    start=$(date +%s)
    env "$@" verify $ONLY $QUICK --out "$OUT/$name" > "$OUT/$name.log" 2>&1
    rc=$?
    echo "repro: $name: exit $rc, $(( $(date +%s) - start )) s"
}
run reference "$BIN/aeaudit"
for c in $CONFIGS; do
    case $c in
    prescott) run prescott OPENBLAS_CORETYPE=Prescott "$BIN/aeaudit" ;;
    sandybridge) run sandybridge OPENBLAS_CORETYPE=Sandybridge "$BIN/aeaudit" ;;
    haswell) run haswell OPENBLAS_CORETYPE=Haswell "$BIN/aeaudit" ;;
    skylakex)
        if grep -qw avx512f /proc/cpuinfo; then
            run skylakex OPENBLAS_CORETYPE=SkylakeX "$BIN/aeaudit"
        else
            echo "repro: skylakex skipped (no avx512f in /proc/cpuinfo)"
        fi ;;
    nofma) run nofma GLIBC_TUNABLES=$NOFMA "$BIN/aeaudit" ;;
    sse2) run sse2 GLIBC_TUNABLES=$SSE2 "$BIN/aeaudit" ;;
    oldcpu) run oldcpu OPENBLAS_CORETYPE=Prescott GLIBC_TUNABLES=$SSE2 "$BIN/aeaudit" ;;
    scalar) run scalar "$BIN/aeaudit-scalar" ;;
    *) echo "repro: unknown configuration $c" >&2; exit 2 ;;
    esac
done

# -- the comparison --------------------------------------------------------------------
nfiles=$(ls "$OUT/reference" | grep -cE '\.(csv|md)$')
bad=0
for d in "$OUT"/*/; do
    name=$(basename "$d")
    [ "$name" = reference ] && continue
    diffs=""
    for f in "$OUT"/reference/*.csv "$OUT"/reference/*.md; do
        b=$(basename "$f")
        cmp -s "$f" "$d$b" || diffs="$diffs $b"
    done
    for f in "$d"*.csv "$d"*.md; do      # a table only this run wrote
        [ -e "$f" ] && [ ! -e "$OUT/reference/$(basename "$f")" ] && diffs="$diffs $(basename "$f")(new)"
    done
    if [ -z "$diffs" ]; then
        echo "repro: $name: all $nfiles tables identical to the reference"
    else
        echo "repro: $name: DIFFERENT:$diffs"
        bad=$((bad + 1))
    fi
done
echo "repro: $bad configuration(s) differ from the reference ($OUT)"
[ $bad -eq 0 ]
