#!/bin/sh
# -o FILE, in every tool that has it, as root in a sticky directory
# like /tmp: a symlink another user planted there is not followed (so
# root cannot be made to truncate a file of its choosing, whatever
# fs.protected_symlinks says), one's own symlink is; a new file gets
# mode 0644 even under umask 0; an existing longer file is truncated.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
id nobody >/dev/null 2>&1 || { echo "needs a user nobody"; exit 77; }
cat >"$tmp/x.stp" <<'STP'
probe begin { println("hello"); exit() }
STP
"$BIN/stap-parse" "$tmp/x.stp" >"$tmp/x.tree" &&
    "$BIN/stap-resolve" "$tmp/x.tree" >"$tmp/x.res" &&
    "$BIN/stap-bpfgen" "$tmp/x.res" >"$tmp/x.bo" || exit 1
mkdir "$tmp/sticky"
chmod 1777 "$tmp/sticky"
S=$tmp/sticky

# out TOOL FILE: the tool writing FILE with -o
out() {
	case $1 in
	stap-parse) "$BIN/stap-parse" -o "$2" "$tmp/x.stp" ;;
	stap-resolve) "$BIN/stap-resolve" -o "$2" "$tmp/x.tree" ;;
	stap-bpfgen) "$BIN/stap-bpfgen" -o "$2" "$tmp/x.res" ;;
	stap-fmt) "$BIN/stap-fmt" -o "$2" "$tmp/x.stp" ;;
	stap-bpfld) "$BIN/stap-bpfld" -o "$2" "$tmp/x.bo" ;;
	esac
}

for t in stap-parse stap-resolve stap-bpfgen stap-fmt stap-bpfld; do
	echo precious >"$tmp/victim"
	rm -f "$S/planted"
	ln -s "$tmp/victim" "$S/planted"
	chown -h nobody "$S/planted"
	out $t "$S/planted" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] || fail "$t: planted symlink: exit $rc, wanted 1"
	[ "$(cat "$tmp/victim")" = precious ] ||
	    fail "$t: wrote through another user's symlink"
	grep -qx "$t: open '$S/planted': not following a symlink that \
another user owns in a sticky directory" "$tmp/err" ||
	    fail "$t: planted symlink: stderr: $(cat "$tmp/err")"

	# one's own symlink is followed, and stays a symlink
	echo old >"$tmp/mine"
	rm -f "$S/mine"
	ln -s "$tmp/mine" "$S/mine"
	out $t "$S/mine" >/dev/null 2>"$tmp/err" ||
	    fail "$t: own symlink: $(cat "$tmp/err")"
	[ -L "$S/mine" ] || fail "$t: own symlink replaced by a file"
	[ "$(cat "$tmp/mine")" = old ] && fail "$t: own symlink not written"

	# a new file: 0644 under umask 0; an old one truncated
	rm -f "$S/new"
	(umask 0; out $t "$S/new") >/dev/null 2>"$tmp/err" ||
	    fail "$t: new file: $(cat "$tmp/err")"
	m=$(stat -c %a "$S/new")
	[ "$m" = 644 ] || fail "$t: new file has mode $m, wanted 644"
	cp "$S/new" "$tmp/once"
	head -c 100000 /dev/zero >>"$S/new"
	out $t "$S/new" >/dev/null 2>&1
	cmp -s "$tmp/once" "$S/new" || fail "$t: old contents not replaced"
done
[ $fails = 0 ]
