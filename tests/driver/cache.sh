#!/bin/sh
# -v says what each pass did, in stap's form; a second run uses the
# cached .bo (passes 1-3 skipped).  An entry that is corrupt, or made
# for another script, is rebuilt, never loaded; --poison-cache
# rebuilds, --disable-cache neither reads nor writes; what changes the
# code (arguments, -D) changes the key.
cd "$(dirname "$0")/.." || exit 2
. driver/driver.inc
needbpf
S='probe begin { printf("%s ok\n", @1); exit() }'
T='probe begin { printf("other %s\n", @1); exit() }'
tm='in [0-9]*usr/[0-9]*sys/[0-9]*real ms\.$'
sb v1 -v -e "$S" a
expect v1 0 'a ok'
grep '^Pass' "$tmp/v1.err" | sed 's/"[^"]*"/"F"/' >"$tmp/passes"
if ! grep -q "^Pass 1: parsed user script $tm" "$tmp/passes" ||
    ! grep -q "^Pass 2: analyzed script $tm" "$tmp/passes" ||
    ! grep -q "^Pass 3: translated to BPF into \"F\" $tm" "$tmp/passes" ||
    ! grep -q "^Pass 4: compiled BPF into \"F\" $tm" "$tmp/passes" ||
    ! grep -qx 'Pass 5: starting run.' "$tmp/passes" ||
    ! grep -q "^Pass 5: run completed $tm" "$tmp/passes" ||
    [ "$(cut -c1-6 "$tmp/passes" | tr '\n' ' ')" != \
    "Pass 1 Pass 2 Pass 3 Pass 4 Pass 5 Pass 5 " ]; then
	fail "-v pass lines: $(cat "$tmp/v1.err")"
fi
ls "$C"/*.bo >"$tmp/entries" 2>/dev/null
[ "$(wc -l <"$tmp/entries")" = 1 ] || fail "entries: $(cat "$tmp/entries")"
e=$(cat "$tmp/entries")

sb v2 -v -e "$S" a
expect v2 0 'a ok'
errhas v2 "Pass 4: using cached $e"
grep -q '^Pass [123]' "$tmp/v2.err" && fail "a hit ran passes 1-3"

# corrupt: the same size, still ELF, some bytes changed further on
cp "$e" "$tmp/good.bo"
printf 'XXXXXXXXXXXXXXXX' | dd of="$e" bs=1 seek=200 conv=notrunc \
    2>/dev/null
cmp -s "$e" "$tmp/good.bo" && fail "the corruption changed nothing"
sb bad -v -e "$S" a
expect bad 0 'a ok'
grep -q 'using cached' "$tmp/bad.err" && fail "a corrupt entry was loaded"
cmp -s "$e" "$tmp/good.bo" || fail "the corrupt entry was not rebuilt"
# truncated
: >"$e"
sb empty -v -e "$S" a
expect empty 0 'a ok'
grep -q 'using cached' "$tmp/empty.err" && fail "an empty entry was loaded"

# foreign: another script's entry, whole, under this one's name
sb t -p4 -e "$T" a
f=$(cat "$tmp/t.out")
[ "$f" != "$e" ] && [ -f "$f" ] || fail "-p4 of another script: '$f'"
cp "$f" "$e"
cp "${f%.bo}.sum" "${e%.bo}.sum"
sb foreign -v -e "$S" a
expect foreign 0 'a ok'
grep -q 'using cached' "$tmp/foreign.err" &&
    fail "another script's entry was loaded"

sb poison -v --poison-cache -e "$S" a
expect poison 0 'a ok'
grep -q 'using cached' "$tmp/poison.err" && fail "--poison-cache used it"
errhas poison "Pass 1: parsed user script"

ls "$C" >"$tmp/before"
sb off -v --disable-cache -e "$S" a
expect off 0 'a ok'
grep -q 'using cached' "$tmp/off.err" && fail "--disable-cache used it"
ls "$C" | cmp -s "$tmp/before" - || fail "--disable-cache wrote the cache"

# another argument, another -D: other entries, not this one
sb arg -v -e "$S" b
expect arg 0 'b ok'
grep -q 'using cached' "$tmp/arg.err" && fail "a new argument hit"
sb d -v -D MAXSTRINGLEN=64 -e "$S" a
expect d 0 'a ok'
grep -q 'using cached' "$tmp/d.err" && fail "a new -D hit"
[ "$(ls "$C"/*.bo | wc -l)" = 4 ] || fail "entries: $(ls "$C")"
# and no temporary file left behind
ls "$C" | grep -v -e '\.bo$' -e '\.sum$' -e '^cache_mb_limit$' \
    -e '^cache_clean_interval_s$' && fail "left in the cache"

# a tapset file the script takes a function from changed: a miss
mkdir "$tmp/ts"
echo 'function tf() { return 1 }' >"$tmp/ts/t.stp"
U='probe begin { printf("%d\n", tf()); exit() }'
sb ts1 -v -I "$tmp/ts" -e "$U"
expect ts1 0 1
echo 'function tf() { return 2 }' >"$tmp/ts/t.stp"
sb ts2 -v -I "$tmp/ts" -e "$U"
expect ts2 0 2
grep -q 'using cached' "$tmp/ts2.err" && fail "a changed tapset file hit"
[ $fails = 0 ]
