#!/bin/sh
# process("GLOB"): a point for each file the pattern matches (links to
# one file once, files that are not x86-64 ELF passed over), each with
# its own path in pp(); a pattern that matches nothing is stap's error
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
. uprobe/uprobe.inc
echo "not an ELF file" >"$tmp/prog.txt"
ln -s prog "$tmp/prog-link"
cat >"$tmp/a.stp" <<'STP'
probe process("@PROG@*").function("work_add") {
	if (pid() == target()) printf("%s %d\n", pp(), $a)
}
STP
sed "s|@PROG@|$tmp/prog|g" "$tmp/a.stp" >"$tmp/s.stp"
"$BIN/stap-parse" "$tmp/s.stp" | "$BIN/stap-resolve" >"$tmp/tree" ||
    fail "resolve failed"
for f in prog prog0; do
	n=$(grep -c "^  points: point .* str=\"$tmp/$f\"" "$tmp/tree")
	[ "$n" = 1 ] || fail "$f: $n points, wanted 1"
done
n=$(grep -c '^  points: point' "$tmp/tree")
[ "$n" = 2 ] || fail "$n points, wanted 2 (prog, prog0)"
run "$tmp/a.stp" -c "$tmp/prog 2"
[ $rc = 0 ] || fail "exit $rc: $(cat "$tmp/err")"
# the program's own line, in no fixed order with the script's
grep -vx -- '-583 0' "$tmp/out" >"$tmp/o2"
mv "$tmp/o2" "$tmp/out"
printf '%s\n' "process(\"$tmp/prog\").function(\"work_add\") 0" \
    "process(\"$tmp/prog\").function(\"work_add\") 1" >"$tmp/want"
expect "$tmp/want"
"$BIN/stap-parse" -e "probe process(\"$tmp/nothing*\").function(\"f\") {}" |
    "$BIN/stap-resolve" >/dev/null 2>"$tmp/err"
[ $? = 1 ] || fail "no match: exit status"
cat >"$tmp/want" <<ERR
<input>:1:15: error: cannot find executable '$tmp/nothing*'
    probe process("$tmp/nothing*").function("f") {}
                  ^
stap-resolve: 1 error
ERR
cmp -s "$tmp/want" "$tmp/err" || { fail "no match"; diff -u "$tmp/want" "$tmp/err"; }
[ $fails = 0 ]
