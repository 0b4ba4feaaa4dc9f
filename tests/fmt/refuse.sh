#!/bin/sh
# stap-fmt on a hand-made event stream (no root needed): the whole
# stream renders, from a file, stdin and a pipe; every truncation of it,
# a garbage file, a stream of an unknown version and a broken .bo are
# refused in one line on stderr with exit 1.
# Exit 0 pass, 77 skip (reason last), anything else fail.
cd "$(dirname "$0")/.." || exit 2
case ${BIN:-} in
'') BIN=$PWD/../build/bin ;;
/*) ;;
*) BIN=$PWD/$BIN ;;
esac
if [ "$(printf '\001\000\000\000' | od -An -tu4 | tr -d ' ')" != 1 ]; then
	echo "needs a little-endian host (the stream is written by hand)"
	exit 77
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 2
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Header, a PRINTF record ("world" in 8 bytes, 42), EXIT, stop, trailer
printf '%s\n' 'stap-events 1' '@script "h.stp"' '@maxstringlen 8' \
    '@byteorder little' 'file 0 "h.stp" 0' \
    'format 0 "hello %s %d\n" sl' data >head
printf '\030\0\0\0\001\0\0\0\0\0\0\0world\0\0\0\052\0\0\0\0\0\0\0' >rec1
printf '\010\0\0\0\002\0\0\0\0\0\0\0' >rec2
printf '\0\0\0\0' >stop
printf '%s\n' 'lost 0' 'errors 0' >trailer
cat head rec1 rec2 stop trailer >whole.ev
echo end >>whole.ev
printf 'hello world 42\n' >want

for how in file stdin pipe; do
	case $how in
	file) "$BIN/stap-fmt" whole.ev >out 2>err ;;
	stdin) "$BIN/stap-fmt" <whole.ev >out 2>err ;;
	pipe) cat whole.ev | "$BIN/stap-fmt" >out 2>err ;;
	esac
	rc=$?
	[ $rc -eq 0 ] || fail "$how: exit $rc: $(cat err)"
	[ -s err ] && fail "$how: stderr: $(cat err)"
	cmp -s want out || fail "$how: output '$(cat out)'"
done

refused() {	# name, file: exit 1, one line on stderr naming us
	"$BIN/stap-fmt" "$2" >out 2>err
	rc=$?
	[ $rc -eq 1 ] || fail "$1: exit $rc, wanted 1"
	[ "$(wc -l <err)" -eq 1 ] || fail "$1: stderr not one line: $(cat err)"
	grep -q "^stap-fmt: .*$3" err || fail "$1: stderr: $(cat err)"
	"$BIN/stap-fmt" <"$2" >out 2>err2
	rc=$?
	[ $rc -eq 1 ] || fail "$1 (stdin): exit $rc, wanted 1"
	[ "$(wc -l <err2)" -eq 1 ] ||
	    fail "$1 (stdin): stderr not one line: $(cat err2)"
}

head -n 1 head >t.ev
refused "magic line only" t.ev "truncated"
head -n 4 head >t.ev
refused "half a header" t.ev "truncated"
cat head >t.ev
refused "no records" t.ev "truncated"
cat head rec1 >t.ev
head -c 20 rec2 >>t.ev
refused "no stop" t.ev "truncated"
cat head rec1 >t.ev
head -c 10 rec2 >>t.ev
refused "half a record" t.ev "truncated"
cat head rec1 rec2 stop >t.ev
refused "no trailer" t.ev "truncated"
cat head rec1 rec2 stop trailer >t.ev
refused "no end line" t.ev "truncated"
for n in 100 120 145 160 175; do
	head -c $n whole.ev >t.ev
	refused "first $n bytes" t.ev
done

printf 'stap-events 9\ndata\n' >t.ev
refused "unknown version" t.ev "version 9"
printf '\037\213\010\0garbage\0\001\002\003\377' >garbage
refused "garbage" garbage
printf '\177ELF\002\001\001\0\0\0garbage' >t.bo
refused "broken .bo" t.bo "ELF"
if "$BIN/stap-parse" -e 'probe begin { print("hi\n") }' |
    "$BIN/stap-resolve" | "$BIN/stap-bpfgen" >x.bo; then
	head -c 300 x.bo >t.bo
	refused "truncated .bo" t.bo "truncated"
else
	fail "compile failed"
fi
[ $fails -eq 0 ]
