#!/bin/sh
# stap-fmt -o FILE FILE, as the man page suggests, rewrites FILE only
# when it succeeds: a malformed .bo or a write that fails part way (a
# file size limit here, as a full disk would) leaves FILE as it was,
# with no temporary file left beside it.  A success keeps FILE's mode
# and, for one's own symlink, the symlink.  No root needed.
cd "$(dirname "$0")/.." || exit 2
case ${BIN:-} in
'') BIN=$PWD/../build/bin ;;
/*) ;;
*) BIN=$PWD/$BIN ;;
esac
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 2
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# left NAME FILE COPY: FILE is COPY still, and alone in the directory
left() {
	cmp -s "$2" "$3" || fail "$1: '$2' changed ($(wc -c <"$2") bytes)"
	[ "$(ls -A d)" = "$(basename "$2")" ] ||
	    fail "$1: left beside it: $(ls -A d | tr '\n' ' ')"
}
mkdir d

# a .bo with its section table cut off
printf 'probe begin { exit() }\n' >x.stp
"$BIN/stap-parse" x.stp | "$BIN/stap-resolve" | "$BIN/stap-bpfgen" \
    >x.bo || exit 1
head -c 200 x.bo >d/bad.bo
cp d/bad.bo bad.copy
"$BIN/stap-fmt" -o d/bad.bo d/bad.bo >/dev/null 2>err
rc=$?
[ $rc = 1 ] || fail "malformed .bo: exit $rc, wanted 1"
grep -q "^stap-fmt: " err || fail "malformed .bo: stderr: $(cat err)"
left "malformed .bo" d/bad.bo bad.copy
rm d/bad.bo

# a script whose formatted text (~20 KiB) passes a 4 KiB size limit;
# the script itself is under it
i=0
while [ $i -lt 300 ]; do
	printf 'probe timer.s(%d){if(1){n++}}\n' $((i + 1))
	i=$((i + 1))
done >d/big.stp
sed -i '1i global n' d/big.stp
[ "$(wc -c <d/big.stp)" -lt 10240 ] || { fail "big.stp too big"; exit 1; }
cp d/big.stp big.copy
"$BIN/stap-fmt" d/big.stp >big.fmt || { fail "big.stp: no format"; exit 1; }
[ "$(wc -c <big.fmt)" -gt 12288 ] || fail "big.stp formats to little"
( trap '' XFSZ; ulimit -f 20; exec "$BIN/stap-fmt" -o d/big.stp d/big.stp ) \
    2>err
rc=$?
[ $rc = 1 ] || fail "size limit: exit $rc, wanted 1"
grep -q "^stap-fmt: write 'd/big.stp': File too large$" err ||
    fail "size limit: stderr: $(cat err)"
left "size limit" d/big.stp big.copy

# success: mode kept, a symlink of one's own kept and its file written
chmod 751 d/big.stp
"$BIN/stap-fmt" -o d/big.stp d/big.stp 2>err || fail "in place: $(cat err)"
cmp -s big.fmt d/big.stp || fail "in place: not the formatted text"
[ "$(stat -c %a d/big.stp)" = 751 ] ||
    fail "in place: mode $(stat -c %a d/big.stp), wanted 751"
cp big.copy d/big.stp
ln -s d/big.stp link.stp
"$BIN/stap-fmt" -o link.stp link.stp 2>err || fail "symlink: $(cat err)"
[ -L link.stp ] || fail "symlink: replaced by a file"
cmp -s big.fmt d/big.stp || fail "symlink: its file not formatted"
left "symlink" d/big.stp big.fmt
[ $fails = 0 ]
