#!/bin/sh
# make demo: examples/topsys.stp through the whole pipeline on this
# machine's kernel: the processes making the most system calls, a top
# ten every second for five seconds.  A dd in the background makes sure
# there is something to see.
set -e
cd "$(dirname "$0")/.."
B=build/bin
echo "== stap-parse examples/topsys.stp | stap-resolve | stap-bpfgen > build/topsys.bo"
$B/stap-parse examples/topsys.stp | $B/stap-resolve | $B/stap-bpfgen \
    >build/topsys.bo
echo "   $(wc -c <build/topsys.bo) bytes; sections:"
$B/stap-fmt build/topsys.bo 2>/dev/null | head -n 20 || true
if [ "$(id -u)" != 0 ]; then
	echo "stap-bpfld needs root to load BPF: run 'make demo' as root"
	exit 0
fi
mountpoint -q /sys/kernel/tracing 2>/dev/null ||
    mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
echo "== stap-bpfld build/topsys.bo   (with a dd making system calls)"
dd if=/dev/zero of=/dev/null bs=16 count=2000000 2>/dev/null &
dd=$!
$B/stap-bpfld build/topsys.bo
kill $dd 2>/dev/null || true
wait 2>/dev/null || true
