#!/bin/sh
# The maps stap-bpfgen always makes must keep their shape: a .bo whose
# stap_ctl a 255-byte value (in its BTF, once; now its section) overran stap-bpfld's
# stack when it filled stap_ctl (a jump to address 0), and one that
# makes stap_scratch a stack-trace map left a begin probe's lookups of
# its frame failing, so its exit() never ran and the loader waited for
# Ctrl-C (since the IR optimiser this script no longer looks its frame
# up, but the map is still not what the code was made for).
# Both are refused in one line before anything is loaded.
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
needbpf
command -v perl >/dev/null || { echo "needs perl"; exit 77; }
printf 'probe begin { printf("hi %%d\\n", 1); exit() }\n' >x.stp
compile x.stp x.bo
# patch N: the BTF array type of N elements (int[N], index type 2)
# that a map's __uint(field, N) points to becomes one of M; the map
# sizes in this script are each used once, so the pattern is unique
patch() {
	perl -0777 -pe '
	    BEGIN { $from = pack("V6", 0, 0x03000000, 0, 1, 2, '"$1"');
		$to = pack("V6", 0, 0x03000000, 0, 1, 2, '"$2"'); }
	    $n = () = /\Q$from\E/g;
	    die "$n matches\n" if $n != 1;
	    s/\Q$from\E/$to/;' x.bo >"$3" || exit 1
}
# stap_ctl is global data: its value is section .data.stap_ctl, whose
# header's sh_size says the size; found by name through the section
# header table and its string table (ELF64, little-endian)
patchsec() {
	perl -0777 -pe '
	    my ($shoff) = unpack("Q<", substr($_, 0x28, 8));
	    my ($ent, $num, $strx) = unpack("v3", substr($_, 0x3a, 6));
	    my $sh = sub { $shoff + $_[0] * $ent };
	    my ($stroff) = unpack("Q<", substr($_, $sh->($strx) + 0x18, 8));
	    my $n = 0;
	    for my $i (0 .. $num - 1) {
		my ($nm) = unpack("V", substr($_, $sh->($i), 4));
		next if substr($_, $stroff + $nm, 15) ne ".data.stap_ctl\0";
		my $at = $sh->($i) + 0x20;
		die "size " . unpack("Q<", substr($_, $at, 8)) . "\n"
		    if unpack("Q<", substr($_, $at, 8)) != '"$1"';
		substr($_, $at, 8) = pack("Q<", '"$2"');
		$n++;
	    }
	    die "$n matches\n" if $n != 1;' x.bo >"$3" || exit 1
}
patchsec 88 255 ctl.bo
patch 6 7 scratch.bo
mark
expect "stap_ctl of another size" 1 "stap-bpfld: 'ctl.bo': map 'stap_ctl' \
has max_entries 1, key_size 4, value_size 255; it must have 1, 4 and 88\n" \
    timeout 30 "$BIN/stap-bpfld" ctl.bo
expect "stap_scratch of another type" 1 "stap-bpfld: 'scratch.bo': map \
'stap_scratch' has type 7, not 6\n" timeout 30 "$BIN/stap-bpfld" scratch.bo
nothing_new bo_mapshape
expect "the real one" 0 "" sh -c '"$1" x.bo >out.txt' sh "$BIN/stap-bpfld"
[ "$(cat out.txt)" = "hi 1" ] || fail "output: $(cat out.txt)"
[ $fails = 0 ]
