#!/bin/sh
# A probe on a tracepoint's C arguments is a raw_tp program in the .bo,
# which stap-bpfld loads as tp_btf where the kernel allows (this one
# does) and as raw_tp where it does not: here, in a mount namespace
# where the kernel's BTF reads as empty.  Both give the same values
# (runtime/tp_args.stp), -v says which mechanism and why tp_btf was
# refused, and nothing stays attached.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cc -O2 -o "$tmp/tpargs" "$T/runtime/tpargs.c" || exit 1
[ -r /sys/kernel/btf/vmlinux ] || { echo "needs kernel BTF"; exit 77; }
compile runtime/tp_args.stp
sw="stap-bpfld: probe 'kernel.trace(\"sched:sched_switch\")'"

# run [unshare...]: the loader, the helper waiting until it is attached
# and what it holds is recorded; rc its exit status
run() {
	rm -f "$tmp/go" "$tmp/err"
	"$@" "$BIN/stap-bpfld" -v -T 30 -c "$tmp/tpargs $tmp/go" \
	    "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	waitfor "$tmp/err" "stap-bpfld: attach: .*" ||
	    fail "not attached after 20 s"
	ids $pid
	listed
	: >"$tmp/go"
	wait $pid
	rc=$?
}
# (exec: run's pid is the loader's)
nobtf() {
	exec unshare -m sh -c 'mount --bind /dev/null /sys/kernel/btf/vmlinux &&
	    exec "$@"' sh "$@"
}

run
[ $rc = 0 ] || fail "tp_btf: exit $rc: $(cat "$tmp/err")"
cmp -s "$tmp/out" runtime/tp_args.out ||
    fail "tp_btf: output: $(cat "$tmp/out")"
grep -qxF "$sw: tp_btf on sched_switch" "$tmp/err" ||
    fail "tp_btf: -v does not say tp_btf: $(cat "$tmp/err")"
grep -q "refused\|raw_tp" "$tmp/err" && fail "tp_btf: $(cat "$tmp/err")"
gone

if ! command -v unshare >/dev/null ||
    ! unshare -m sh -c 'mount --bind /dev/null /sys/kernel/btf/vmlinux'
then
	echo "cannot hide the kernel's BTF (unshare -m): raw_tp not tested"
	[ $fails = 0 ]
	exit
fi
run nobtf
[ $rc = 0 ] || fail "raw_tp: exit $rc: $(cat "$tmp/err")"
cmp -s "$tmp/out" runtime/tp_args.out ||
    fail "raw_tp: output: $(cat "$tmp/out")"
grep -qxF "$sw: tp_btf refused (no kernel BTF at /sys/kernel/btf/vmlinux), loading it as raw_tp" \
    "$tmp/err" || fail "raw_tp: -v does not say why: $(cat "$tmp/err")"
grep -qxF "$sw: raw_tp on sched_switch" "$tmp/err" ||
    fail "raw_tp: -v does not say raw_tp: $(cat "$tmp/err")"
gone

# without -v, not a word
(nobtf "$BIN/stap-bpfld" -T 30 -c "$tmp/tpargs" "$tmp/x.bo" >"$tmp/out" \
    2>"$tmp/err")
[ -s "$tmp/err" ] && fail "raw_tp without -v: $(cat "$tmp/err")"
[ $fails = 0 ]
