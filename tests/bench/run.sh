#!/bin/sh
# Runs every benchmark binary bin/bench_*.  Each prints lines
#   bench NAME ours_s=S peer=PEER peer_s=S ratio=R ...
# where ratio = peer_s / ours_s (NA when the peer is not installed).  Peers are Python
# scripts beside this file, run with Debian's /usr/bin/python3.
set -u
status=0
for b in bin/bench_*; do
  [ -x "$b" ] || continue
  "$b" || status=1
done
exit $status
