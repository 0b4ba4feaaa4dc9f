# kernel.function(...).exported keeps the functions the kernel exports
# (those whose __ksymtab_NAME /proc/kallsyms lists): what "vfs_*"
# lists with it is exactly what it lists without, less the functions
# without such a symbol; some are exported, some not.
$BIN/stap-bpf -l 'kernel.function("vfs_*")' |
    sed 's/^kernel.function("\(.*\)")$/\1/' | sort >"$T/all" || exit 1
$BIN/stap-bpf -l 'kernel.function("vfs_*").exported' >"$T/exp.l" || exit 1
sed -n 's/^kernel.function("\(.*\)").exported$/\1/p' "$T/exp.l" | sort >"$T/exp"
[ "$(wc -l <"$T/exp")" = "$(wc -l <"$T/exp.l")" ] || {
	echo "a line not kernel.function(\"...\").exported:"; cat "$T/exp.l"; exit 1; }
sed -n 's/^[0-9a-f]* [rR] __ksymtab_\(vfs_.*\)$/\1/p' /proc/kallsyms |
    sort -u >"$T/ksym"
grep -Fxf "$T/ksym" "$T/all" >"$T/want"
cmp -s "$T/want" "$T/exp" || { echo "got:"; cat "$T/exp"; echo "wanted:"; cat "$T/want"; exit 1; }
n=$(wc -l <"$T/exp")
[ "$n" -gt 0 ] && [ "$n" -lt "$(wc -l <"$T/all")" ] ||
    { echo "$n exported of $(wc -l <"$T/all")"; exit 1; }
exit 0
