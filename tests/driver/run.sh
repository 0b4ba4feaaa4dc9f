#!/bin/sh
# stap-bpf runs a script from -e, a file and stdin, each with its
# arguments ($1 and @1), and -o writes the output to a file.
cd "$(dirname "$0")/.." || exit 2
. driver/driver.inc
needbpf
S='probe begin { printf("%s+%d\n", @1, $2); exit() }'
sb e -e "$S" 'two words' 7
expect e 0 'two words+7'
printf '%s\n' "$S" >"$tmp/x.stp"
sb file "$tmp/x.stp" "it's" 42
expect file 0 "it's+42"
printf '%s\n' "$S" | timeout 60 "$SB" - a 1 >"$tmp/in.out" 2>"$tmp/in.err"
echo $? >"$tmp/in.rc"
expect in 0 'a+1'
# arguments past the script are the script's, options too
sb late "$tmp/x.stp" -v 3
expect late 0 '-v+3'
[ -s "$tmp/late.err" ] && fail "late: -v after the script was taken: \
$(cat "$tmp/late.err")"
sb o -o "$tmp/o.txt" -e "$S" o 9
expect o 0 ''
printf 'o+9\n' | cmp -s - "$tmp/o.txt" || fail "-o: $(cat "$tmp/o.txt")"
[ $fails = 0 ]
