#!/bin/sh
# make demo: the bundled example through the stages that exist so far.
# The back end (stap-resolve, stap-bpfgen, stap-bpfld) comes later;
# until then the demo parses examples/topsys.stp into a stap-tree and
# formats the tree back into SystemTap source.
set -e
cd "$(dirname "$0")/.."
B=build/bin
echo "== stap-parse examples/topsys.stp | head -n 40"
$B/stap-parse examples/topsys.stp >build/topsys.tree
head -n 40 build/topsys.tree
echo "... ($(wc -l <build/topsys.tree) lines in all)"
echo
echo "== stap-parse examples/topsys.stp | stap-fmt"
$B/stap-fmt <build/topsys.tree
