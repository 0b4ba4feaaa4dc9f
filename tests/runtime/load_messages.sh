#!/bin/sh
# Load failures say what is wrong.  An unprivileged user is told that
# loading BPF needs root (or CAP_BPF and CAP_PERFMON), not just
# "Operation not permitted"; a .bo that libbpf refuses with one of its
# own error numbers gets libbpf's words for it, not "Unknown error
# 4001".
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/x.stp" <<'STP'
probe begin { printf("hi %d\n", 1); exit() }
STP
compile "$tmp/x.stp"

if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	# the .bo on stdin: nobody cannot read $tmp
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    "$BIN/stap-bpfld" <"$tmp/x.bo" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] || fail "nobody: exit $rc, wanted 1"
	want='^stap-bpfld: loading BPF needs root, or CAP_BPF and CAP_PERFMON'
	want="$want (.*: Operation not permitted)\$"
	[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "$want" "$tmp/err" ||
	    fail "nobody: stderr: $(cat "$tmp/err")"
	[ -s "$tmp/out" ] && fail "nobody: output: $(cat "$tmp/out")"
else
	echo "no setpriv or no user nobody: unprivileged run not tested"
fi

# A relocation section for section 255 (there are fewer): libbpf's
# LIBBPF_ERRNO__FORMAT.  Its sh_info is at byte 44 of its header.
shoff=$(od -An -tu8 -j40 -N8 "$tmp/x.bo" | tr -d ' ')
shnum=$(od -An -tu2 -j60 -N2 "$tmp/x.bo" | tr -d ' ')
i=0
while [ $i -lt "$shnum" ]; do
	h=$((shoff + i * 64))
	[ "$(od -An -tu4 -j$((h + 4)) -N4 "$tmp/x.bo" | tr -d ' ')" = 9 ] &&
	    break
	i=$((i + 1))
done
[ $i -lt "$shnum" ] || { fail "no REL section in the .bo"; exit 1; }
cp "$tmp/x.bo" "$tmp/bad.bo"
printf '\377' | dd of="$tmp/bad.bo" bs=1 seek=$((h + 44)) conv=notrunc \
    2>/dev/null
"$BIN/stap-bpfld" "$tmp/bad.bo" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || fail "bad.bo: exit $rc, wanted 1"
printf "stap-bpfld: '%s': libbpf cannot open it: %s\n" "$tmp/bad.bo" \
    "BPF object format invalid" >"$tmp/want"
cmp -s "$tmp/want" "$tmp/err" || fail "bad.bo: stderr: $(cat "$tmp/err")"
[ $fails = 0 ]
