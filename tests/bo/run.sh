#!/bin/sh
# The .bo container (tests/bo/botest.c): writer, libbpf, the kernel's
# verifier and a tracepoint run, then the reader.  Built here with the
# project's CC and CFLAGS from config.mk, libraries from pkg-config.
# Exit 0 pass, 77 skip (reason last), anything else fail.
cd "$(dirname "$0")/../.." || exit 2
if [ "$(id -u)" != 0 ]; then
	echo "needs root and BPF"
	exit 77
fi
if ! pkg-config --exists libbpf libelf; then
	echo "needs libbpf and libelf (pkg-config)"
	exit 77
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# config.mk is make syntax (continued lines); let make expand it.  CC
# and CFLAGS from the environment win, so check-san adds the sanitizers
flags=$(printf 'include config.mk\nx:\n\t@echo "$(CC)|$(CFLAGS)"\n' |
    make -s -f - x 2>/dev/null)
cc=${flags%%|*}
cflags=${flags#*|}
[ -n "$flags" ] || { cc=cc; cflags="-std=c11 -D_POSIX_C_SOURCE=200809L -O2"; }
cc=${CC:-$cc}
cflags=${CFLAGS:-$cflags}

# shellcheck disable=SC2086
$cc $cflags -Ilib $(pkg-config --cflags libbpf libelf) -o "$tmp/botest" \
    tests/bo/botest.c stap-bpfgen/elf.c stap-bpfgen/btf.c stap-bpfgen/core.c lib/bo.c lib/hash.c \
    lib/arena.c lib/diag.c $(pkg-config --libs libbpf libelf) || exit 1

# The tracepoint needs tracefs; the development VMs leave it unmounted
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
fi
"$tmp/botest"
