#!/bin/sh
# What stap-bpf refuses it names, and exits 1 as stap does; a script
# error exits 1 after the stage's own diagnostic, naming the pass that
# failed; -w drops warnings; --runtime=bpf and --bpf are accepted.
cd "$(dirname "$0")/.." || exit 2
. driver/driver.inc
S='probe begin { exit() }'
refused() {	# message, option...
	m=$1
	shift
	sb r "$@" -e "$S"
	[ "$(cat "$tmp/r.rc")" = 1 ] ||
	    fail "$*: exit $(cat "$tmp/r.rc"), wanted 1"
	[ -s "$tmp/r.out" ] && fail "$*: wrote '$(cat "$tmp/r.out")'"
	grep -qxF -- "stap-bpf: $m" "$tmp/r.err" ||
	    fail "$*: stderr: $(cat "$tmp/r.err")"
}
refused "option '-k' is not supported" -k
refused "option '-r' is not supported" -r 6.1.0
refused "invalid module name 'a-b': letters, digits and _ only" -m a-b
refused "option '--dump-functions' is not supported" --dump-functions
refused "option '--foo' is not supported" --foo=1
refused "runtime 'kernel' is not supported: only --runtime=bpf" \
    --runtime=kernel
refused "invalid pass number '6' (1-5)" -p6
sb pm -v -p
expect pm 1 ''
errhas pm "stap-bpf: option '-p' needs an argument"
refused "-c and -x cannot be used together" -c true -x 1
sb nofile "$tmp/none.stp"
[ "$(cat "$tmp/nofile.rc")" = 1 ] || fail "a missing file: exit $(cat \
    "$tmp/nofile.rc")"
errhas nofile "stap-bpf: input file '$tmp/none.stp' is missing"
sb dir "$tmp"
expect dir 1 ''
errhas dir "stap-bpf: cannot read '$tmp'"
# bad values are refused before any pass, in one line, exit 1 (the
# loader would exit 2 after the compile)
refused "invalid target process ID number 'abc'" -x abc
refused "invalid timeout interval '0'" -T 0
refused "invalid timeout interval '1s'" -T 1s
refused "runtime 'kernel' is not supported: only --runtime=bpf" \
    --runtime kernel
sb none
expect none 1 ''
[ "$(cat "$tmp/none.err")" = "stap-bpf: a script must be specified: \
FILE, -e SCRIPT or - (see --help)" ] || fail "no script: $(cat "$tmp/none.err")"
sb rtm -p2 -e "$S" --runtime
expect rtm 1 ''
errhas rtm "stap-bpf: option '--runtime' needs an argument"
sb rt2 -p2 --runtime bpf -T 1.5 -x 1 -e "$S"
[ "$(cat "$tmp/rt2.rc")" = 0 ] || fail "--runtime bpf: $(cat \
    "$tmp/rt2.err")"

sb rt -p2 --runtime=bpf --bpf -e "$S"
[ "$(cat "$tmp/rt.rc")" = 0 ] || fail "--runtime=bpf --bpf: $(cat \
    "$tmp/rt.err")"

# a parse error: stap-parse's diagnostic, the pass, exit 1
sb parse -e 'probe begin { x = 1 + }'
expect parse 1 ''
cat >"$tmp/want" <<'ERR'
<input>:1:23: error: expected literal string or number, found '}'
    probe begin { x = 1 + }
                          ^
stap-parse: 1 error
Pass 1: parse failed.
ERR
diff -u "$tmp/want" "$tmp/parse.err" || fail "parse error: stderr"
sb resolve -e 'probe begin { nosuch(1) }'
expect resolve 1 ''
errhas resolve "error: unresolved function 'nosuch'"
errhas resolve "Pass 2: analysis failed."
[ -e "$C" ] && fail "a failed compile was cached"

# -w: the script's warnings go, the rest stays
printf 'global unused\nprobe begin { exit() }\n' >"$tmp/w.stp"
sb warn -p2 "$tmp/w.stp"
errhas warn "warning: eliding unused variable 'unused'"
sb nowarn -p2 -w "$tmp/w.stp"
[ -s "$tmp/nowarn.err" ] && fail "-w: stderr: $(cat "$tmp/nowarn.err")"
cmp -s "$tmp/warn.out" "$tmp/nowarn.out" || fail "-w changed the tree"

# a runtime error: stap-bpfld's status, 1
if [ "$(id -u)" = 0 ]; then
	sb err -e 'probe begin { println("a"); error("boom") }'
	expect err 1 'a'
	errhas err "ERROR: boom"
fi

# the tools: beside the driver first, else on PATH, else said
mkdir "$tmp/alone"
cp "$SB" "$tmp/alone/stap-bpf"
PATH=$BIN:$PATH "$tmp/alone/stap-bpf" -p1 -e "$S" >"$tmp/path.out" \
    2>"$tmp/path.err" || fail "tools on PATH: $(cat "$tmp/path.err")"
grep -qx '@stage parsed' "$tmp/path.out" || fail "tools on PATH: no tree"
PATH=/usr/bin:/bin "$tmp/alone/stap-bpf" -p1 -e "$S" >"$tmp/none.out" \
    2>"$tmp/none.err"
[ $? = 1 ] || fail "no tools: not exit 1"
grep -qF "stap-bpf: cannot find 'stap-parse' beside $tmp/alone/stap-bpf or on \
PATH" "$tmp/none.err" || fail "no tools: $(cat "$tmp/none.err")"
[ $fails = 0 ]
