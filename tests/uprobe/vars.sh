#!/bin/sh
# $$parms, $$locals, $$vars (scalars as 0x.., arrays [...], structs
# {...}), $$return, @entry(expr) on a process function's .return, and
# the _warn forms of user_string (stap's warning, the script goes on)
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
. uprobe/uprobe.inc
cat >"$tmp/a.stp" <<'STP'
probe process("@PROG@0").function("main") {
	if (pid() != target()) next
	printf("P %s\nL %s\nV %s\n", $$parms, $$locals, $$vars)
}
probe process("@PROG@0").function("work_str") {
	if (pid() != target()) next
	printf("W [%s] [%s] [%s] [%s]\n", user_string_warn(0),
	    user_string_warn(0, "bad"), user_string_n_warn($s, 3),
	    user_string_n_warn(8, 3, "x"))
}
probe process("@PROG@0").function("work_neg").return {
	if (pid() != target()) next
	printf("R %s\n", $$return)
}
probe process("@PROG@0").function("work_add").return {
	if (pid() != target()) next
	printf("R %s\n", $$return)
	printf("E %d %d %d\n", @entry($a), @entry($b + 1), $return)
}
STP
run "$tmp/a.stp" -c "$tmp/prog0 2"
[ $rc = 0 ] || fail "exit $rc: $(cat "$tmp/err")"
x='0x[0-9a-f]+'
grep -Eqx "P argc=0x2 argv=$x" "$tmp/out" || fail "\$\$parms"
grep -Eqx "L n=$x i=$x gated=$x hello=\[\.\.\.\] name=\[\.\.\.\] p=\{\.\.\.\} t=$x" \
    "$tmp/out" || fail "\$\$locals"
grep -Eqx "V argc=0x2 argv=$x n=$x i=$x gated=$x hello=\[\.\.\.\] name=\[\.\.\.\] p=\{\.\.\.\} t=$x" \
    "$tmp/out" || fail "\$\$vars"
grep -v '^[PLV] \|^-583 0$' "$tmp/out" >"$tmp/o2"
mv "$tmp/o2" "$tmp/out"
cat >"$tmp/want" <<'OUT'
R return=0xa
E 0 11 10
W [] [bad] [hel] [x]
R return=0xfffffffffffffecf
R return=0xb
E 1 11 11
W [] [bad] [hel] [x]
R return=0xfffffffffffffecf
OUT
expect "$tmp/want"
cat >"$tmp/want" <<'ERR'
WARNING: user string copy fault -14 at 0x0 [man error::fault]
WARNING: user string copy fault -14 at 0x0 [man error::fault]
WARNING: user string copy fault -14 at 0x8 [man error::fault]
WARNING: user string copy fault -14 at 0x0 [man error::fault]
WARNING: user string copy fault -14 at 0x0 [man error::fault]
WARNING: user string copy fault -14 at 0x8 [man error::fault]
ERR
grep WARNING "$tmp/err" >"$tmp/e2"
cmp -s "$tmp/want" "$tmp/e2" || { fail "warnings"; diff -u "$tmp/want" "$tmp/e2"; }
# $$return where there is no return
cd "$tmp" || exit 2
printf '%s\n' 'probe process("./prog").function("work_add") { println($$return) }' >b.stp
"$BIN/stap-parse" b.stp | "$BIN/stap-resolve" >/dev/null 2>err
cat >want <<'ERR'
b.stp:1:56: error: '$$return' is only available in .return probes
    probe process("./prog").function("work_add") { println($$return) }
                                                           ^
stap-resolve: 1 error
ERR
cmp -s want err || { fail "\$\$return on entry"; diff -u want err; }
[ $fails = 0 ]
