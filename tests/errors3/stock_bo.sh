#!/bin/sh
# A .bo written by stock SystemTap (stap -p4 --runtime=bpf) is refused
# in one line that says it is a stock stapbpf object, exit 1.  Skipped
# where stock stap cannot build one (see shared/tools/anchor-setup.sh).
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
needbpf
shim=/tmp/anchor-shim/rl.so
if ! command -v stap >/dev/null || [ ! -f $shim ]; then
	echo "needs stock stap and $shim (anchor-setup.sh)"
	exit 77
fi
if ! LD_PRELOAD=$shim timeout 120 stap -p4 --runtime=bpf -m stock \
    -e 'probe begin { printf("hi\n"); exit() }' >/dev/null 2>stap.err ||
    [ ! -s stock.bo ]; then
	tail -n 3 stap.err
	echo "stock stap -p4 --runtime=bpf does not work here"
	exit 77
fi
mark
expect "stock .bo" 1 "stap-bpfld: 'stock.bo': a stock stapbpf object \
(it has a 'maps' section), not one from stap-bpfgen\n" \
    "$BIN/stap-bpfld" stock.bo
nothing_new stock
[ $fails = 0 ]
