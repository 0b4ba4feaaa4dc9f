# One build for everything.  Header dependencies are listed by hand.
# O names the object directory, so check-san can build beside the
# normal build without disturbing it.
include config.mk

O = build
B = $(O)/bin
TOOLS = stap-parse stap-resolve stap-bpfgen stap-bpfld stap-fmt
LIBOBJ = $(O)/obj/lib/arena.o $(O)/obj/lib/diag.o $(O)/obj/lib/lex.o \
	$(O)/obj/lib/pp.o $(O)/obj/lib/parse.o $(O)/obj/lib/tree.o \
	$(O)/obj/lib/check.o $(O)/obj/lib/hist.o $(O)/obj/lib/meta.o \
	$(O)/obj/lib/printf.o $(O)/obj/lib/intrinsic.o $(O)/obj/lib/hash.o \
	$(O)/obj/lib/outfile.o $(O)/obj/lib/bpfop.o $(O)/obj/lib/tapdir.o \
	$(O)/obj/lib/ksym.o $(O)/obj/lib/uregs.o $(O)/obj/lib/usym.o
HDRS = lib/stap.h lib/node.def lib/child.def lib/op.def lib/hist.h \
	lib/meta.h lib/abi.h lib/usym.h
PARSEOBJ = $(O)/obj/stap-parse/main.o
FMTOBJ = $(O)/obj/stap-fmt/main.o $(O)/obj/stap-fmt/fmt.o \
	$(O)/obj/stap-fmt/list.o $(O)/obj/stap-fmt/disasm.o \
	$(O)/obj/lib/bo.o
GENOBJ = $(O)/obj/stap-bpfgen/main.o $(O)/obj/stap-bpfgen/gen.o \
	$(O)/obj/stap-bpfgen/str.o $(O)/obj/stap-bpfgen/var.o \
	$(O)/obj/stap-bpfgen/call.o $(O)/obj/stap-bpfgen/expr.o \
	$(O)/obj/stap-bpfgen/loop.o $(O)/obj/stap-bpfgen/stmt.o \
	$(O)/obj/stap-bpfgen/asm.o $(O)/obj/stap-bpfgen/elf.o \
	$(O)/obj/stap-bpfgen/btf.o $(O)/obj/stap-bpfgen/check.o \
	$(O)/obj/stap-bpfgen/basm.o $(O)/obj/stap-bpfgen/regex.o \
	$(O)/obj/stap-bpfgen/lower.o $(O)/obj/stap-bpfgen/ir.o \
	$(O)/obj/stap-bpfgen/opt.o $(O)/obj/stap-bpfgen/typed.o \
	$(O)/obj/stap-bpfgen/core.o $(O)/obj/stap-bpfgen/stack.o \
	$(O)/obj/stap-bpfgen/regs.o $(O)/obj/stap-bpfgen/uprobe.o \
	$(O)/obj/stap-bpfgen/ustack.o $(O)/obj/stap-bpfgen/flow.o \
	$(O)/obj/stap-bpfgen/regalloc.o $(O)/obj/stap-bpfgen/keys.o \
	$(O)/obj/stap-bpfgen/procfs.o $(O)/obj/stap-bpfgen/fentry.o
LDOBJ = $(O)/obj/stap-bpfld/main.o $(O)/obj/stap-bpfld/load.o \
	$(O)/obj/stap-bpfld/user.o $(O)/obj/stap-bpfld/events.o \
	$(O)/obj/stap-bpfld/interp.o $(O)/obj/stap-bpfld/kprobe.o \
	$(O)/obj/stap-bpfld/tpargs.o $(O)/obj/stap-bpfld/syms.o \
	$(O)/obj/stap-bpfld/uprobe.o $(O)/obj/stap-bpfld/perf.o \
	$(O)/obj/stap-bpfld/usyms.o $(O)/obj/stap-bpfld/bare.o \
	$(O)/obj/stap-bpfld/procfs.o $(O)/obj/stap-bpfld/fentry.o \
	$(O)/obj/lib/bo.o
BPFLIBS != pkg-config --libs libbpf libelf 2>/dev/null || echo -lbpf -lelf
BPFCFLAGS != pkg-config --cflags libbpf libelf 2>/dev/null || true
RESOBJ = $(O)/obj/stap-resolve/main.o $(O)/obj/stap-resolve/points.o \
	$(O)/obj/stap-resolve/sym.o $(O)/obj/stap-resolve/types.o \
	$(O)/obj/stap-resolve/kfunc.o $(O)/obj/stap-resolve/btf.o \
	$(O)/obj/stap-resolve/tpbtf.o $(O)/obj/stap-resolve/list.o \
	$(O)/obj/stap-resolve/entry.o $(O)/obj/stap-resolve/uprobe.o \
	$(O)/obj/stap-resolve/udwarf.o $(O)/obj/stap-resolve/dead.o \
	$(O)/obj/stap-resolve/mk.o $(O)/obj/stap-resolve/tapidx.o \
	$(O)/obj/stap-resolve/procfs.o
# process probes read executables and libraries (stap-resolve/uprobe.c).
# libdw is linked in whole where its archive is: only stap-resolve uses
# it, and relocating the shared one at start-up was a fifth of what
# stap-resolve spent on a small script (0.43M instructions)
ELFLIBS != if [ -f "$$($(CC) -print-file-name=libdw.a)" ]; then \
	echo "-Wl,-Bstatic -ldw -Wl,-Bdynamic" \
	    $$(pkg-config --static --libs libdw 2>/dev/null | \
	    sed 's/-ldw//g' || echo -lelf -lz -llzma -lbz2); \
	else pkg-config --libs libelf libdw 2>/dev/null || echo -lelf -ldw; fi
MAN1 = man/stap-parse.1 man/stap-resolve.1 man/stap-bpfgen.1 man/stap-bpfld.1 \
	man/stap-fmt.1 man/stap-bpf.1
MAN5 = man/stap-tree.5 man/stap-bo.5 man/stap-events.5
MAN7 = man/stap-functions.7 man/stap-tapset.7 man/stap-tapset-kfunc.7

SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

all: $(TOOLS:%=$(B)/%) $(B)/stap-bpf

$(O)/obj/lib/%.o: lib/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/obj/lib/tapdir.o: lib/tapdir.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DTAPSETDIR='"$(TAPSETDIR)"' -c -o $@ $<

$(O)/obj/stap-parse/%.o: stap-parse/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/obj/stap-fmt/%.o: stap-fmt/%.c $(HDRS) stap-fmt/fmt.h lib/bo.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib $(BPFCFLAGS) -c -o $@ $<

$(O)/obj/stap-resolve/%.o: stap-resolve/%.c $(HDRS) stap-resolve/resolve.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BPFCFLAGS) -DTAPSETDIR='"$(TAPSETDIR)"' -c -o $@ $<

$(O)/obj/stap-bpfgen/%.o: stap-bpfgen/%.c $(HDRS) stap-bpfgen/gen.h \
	stap-bpfgen/bo.h stap-bpfgen/regex.h stap-bpfgen/opt.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# The system call numbers of this machine's <asm/unistd.h>, sorted by
# name, for the syscall probes that go on raw_syscalls
$(O)/gen/syscalls.h build-fuzz/gen/syscalls.h:
	@mkdir -p $(@D)
	echo '#include <asm/unistd.h>' | $(CC) -E -dM - | \
	    sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$$/\1 \2/p' | \
	    LC_ALL=C sort | sed 's/^\([^ ]*\) \(.*\)/{ "\1", \2 },/' >$@.tmp
	mv $@.tmp $@

$(O)/obj/stap-bpfgen/main.o: stap-bpfgen/main.c $(HDRS) stap-bpfgen/gen.h \
	stap-bpfgen/bo.h $(O)/gen/syscalls.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(O)/gen -c -o $@ stap-bpfgen/main.c

$(O)/obj/stap-bpfld/%.o: stap-bpfld/%.c $(HDRS) stap-bpfld/bpfld.h \
	stap-bpfld/interp.h lib/bo.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib $(BPFCFLAGS) -c -o $@ $<

$(O)/obj/lib/bo.o: lib/bo.c lib/bo.h $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib $(BPFCFLAGS) -c -o $@ lib/bo.c

$(O)/libstap.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(B)/stap-parse: $(PARSEOBJ) $(O)/libstap.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(PARSEOBJ) $(O)/libstap.a

$(B)/stap-resolve: $(RESOBJ) $(O)/libstap.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(RESOBJ) $(O)/libstap.a $(BPFLIBS) $(ELFLIBS)

$(B)/stap-bpfgen: $(GENOBJ) $(O)/libstap.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(GENOBJ) $(O)/libstap.a

$(B)/stap-bpfld: $(LDOBJ) $(O)/libstap.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(LDOBJ) $(O)/libstap.a $(BPFLIBS)

# The driver is a shell script; it finds the tools beside itself
$(B)/stap-bpf: stap-bpf/stap-bpf.sh
	@mkdir -p $(@D)
	cp stap-bpf/stap-bpf.sh $@.tmp
	chmod +x $@.tmp
	mv $@.tmp $@

$(B)/stap-fmt: $(FMTOBJ) $(O)/libstap.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(FMTOBJ) $(O)/libstap.a $(BPFLIBS)

# The set-up commands install what they miss (as root, on Debian).
deps:
	@sh .ci/deps gcc make pkg-config libbpf-dev libelf-dev libdw-dev bpftool

# What the kernel lab (tests/lab/boot) needs; without it, make check
# skips the lab's tests, saying why
labdeps:
	@sh .ci/deps qemu-system-x86 busybox-static cpio || \
	    echo "the kernel lab's tests will be skipped"

check: deps labdeps all replay
	tests/run

check-san: deps
	$(MAKE) O=build-san CFLAGS="$(CFLAGS) -DSAN $(SANFLAGS)" \
		LDFLAGS="$(LDFLAGS) $(SANFLAGS)" all replay
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1 BIN=../build-san/bin \
		CFLAGS="$(CFLAGS) -DSAN $(SANFLAGS)" tests/run

# libFuzzer targets, tests/fuzz/NAME.c: one per stage input, and "run"
# for the whole pipeline, script to the .bo's begin probes run in the
# interpreter.  FZ_NAME lists what a target is built from, FZM_NAME the
# tools whose main.c it links (main renamed TOOL_main, out of the
# fuzzer's way), FZL_NAME its libraries.  make check builds the same
# targets with $(CC) and tests/fuzz/replay.c as main ($(O)/replay/), so
# tests/fuzz/replay.sh can run the crashes kept in tests/fuzz/crashes/.
FUZZ = parse tree interp bo events gen run
FUZZERS = $(FUZZ:%=build-fuzz/fuzz-%)
REPLAYERS = $(FUZZ:%=$(O)/replay/fuzz-%)
FUZZCC = clang
FUZZFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -DSAN \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FZFLAGS = -Ilib -Ibuild-fuzz/gen $(BPFCFLAGS) -DTAPSETDIR='"$(TAPSETDIR)"' \
	-DFUZZDIR='"$(CURDIR)"'
FUZZTIME = 60
FUZZHDRS = $(HDRS) lib/bo.h tests/fuzz/fuzz.h $(wildcard stap-*/*.h)
LIBSRC = lib/arena.c lib/diag.c lib/lex.c lib/pp.c lib/parse.c lib/tree.c \
	lib/check.c lib/hist.c lib/meta.c lib/printf.c lib/intrinsic.c \
	lib/hash.c lib/outfile.c lib/bpfop.c lib/tapdir.c lib/ksym.c lib/uregs.c \
	lib/usym.c
GENSRC = stap-bpfgen/gen.c stap-bpfgen/str.c stap-bpfgen/var.c \
	stap-bpfgen/call.c stap-bpfgen/expr.c stap-bpfgen/loop.c \
	stap-bpfgen/stmt.c stap-bpfgen/asm.c stap-bpfgen/elf.c \
	stap-bpfgen/btf.c stap-bpfgen/check.c stap-bpfgen/basm.c \
	stap-bpfgen/regex.c stap-bpfgen/lower.c stap-bpfgen/ir.c \
	stap-bpfgen/opt.c stap-bpfgen/typed.c stap-bpfgen/core.c \
	stap-bpfgen/stack.c stap-bpfgen/regs.c stap-bpfgen/uprobe.c \
	stap-bpfgen/ustack.c stap-bpfgen/flow.c stap-bpfgen/regalloc.c \
	stap-bpfgen/keys.c stap-bpfgen/procfs.c stap-bpfgen/fentry.c
RESSRC = stap-resolve/points.c stap-resolve/sym.c \
	stap-resolve/types.c stap-resolve/kfunc.c stap-resolve/btf.c \
	stap-resolve/tpbtf.c stap-resolve/list.c stap-resolve/entry.c \
	stap-resolve/uprobe.c stap-resolve/udwarf.c stap-resolve/dead.c \
	stap-resolve/mk.c stap-resolve/tapidx.c \
	stap-resolve/procfs.c
FZ_parse = $(LIBSRC)
FZ_tree = $(LIBSRC)
FZ_interp = stap-bpfld/interp.c
FZ_bo = lib/bo.c lib/arena.c lib/diag.c lib/hash.c
FZL_bo = $(BPFLIBS)
FZ_events = $(LIBSRC)
FZ_gen = $(GENSRC) $(LIBSRC)
FZM_gen = stap-bpfgen
FZ_run = $(RESSRC) $(GENSRC) stap-bpfld/user.c stap-bpfld/events.c \
	stap-bpfld/syms.c stap-bpfld/usyms.c stap-bpfld/procfs.c \
	stap-bpfld/interp.c lib/bo.c \
	$(LIBSRC)
FZM_run = stap-resolve stap-bpfgen
FZL_run = $(BPFLIBS) $(ELFLIBS)

build-fuzz/obj/stap-bpfgen/main.o: build-fuzz/gen/syscalls.h

build-fuzz/obj/%/main.o: %/main.c $(FUZZHDRS)
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZFLAGS) $(FZFLAGS) -Dmain=$(subst -,_,$*)_main \
		-c -o $@ $<

$(O)/obj/tests/fuzz/%.o: tests/fuzz/%.c $(FUZZHDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(FZFLAGS) -c -o $@ $<

$(O)/obj/%/main-fuzz.o: $(O)/obj/%/main.o
	objcopy --redefine-sym main=$(subst -,_,$*)_main $< $@

# The prerequisites name FZ_$* and FZM_$*: expanded once the stem is known
.SECONDEXPANSION:
$(FUZZERS): build-fuzz/fuzz-%: tests/fuzz/%.c $$(FZ_$$*) $(FUZZHDRS) \
	$$(addprefix build-fuzz/obj/,$$(addsuffix /main.o,$$(FZM_$$*)))
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZFLAGS) $(FZFLAGS) -o $@ tests/fuzz/$*.c $(FZ_$*) \
		$(addprefix build-fuzz/obj/,$(addsuffix /main.o,$(FZM_$*))) \
		$(FZL_$*)

$(REPLAYERS): $(O)/replay/fuzz-%: $(O)/obj/tests/fuzz/replay.o \
	$(O)/obj/tests/fuzz/%.o $$(addprefix $(O)/obj/,$$(FZ_$$*:.c=.o)) \
	$$(addprefix $(O)/obj/,$$(addsuffix /main-fuzz.o,$$(FZM_$$*)))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(FZL_$*)

replay: $(REPLAYERS)

fuzz-build:
	@sh .ci/deps clang libclang-rt-14-dev pkg-config libbpf-dev libelf-dev
	$(MAKE) $(FUZZERS)

# Each target FUZZTIME seconds, one after the other, from a corpus seeded
# from tests/ (build-fuzz/corpus-NAME).  Fork mode goes on after a crash
# or a hang, keeping the input in build-fuzz/crash-NAME/; any there at
# the end fail the run.  Minimise one (fuzz-NAME -minimize_crash=1
# -runs=100000 FILE), fix it or list it in tests/fuzz/open, and keep it
# in tests/fuzz/crashes/NAME/, where make check replays it.
fuzz: all fuzz-build
	@for f in $(FUZZ); do \
		rm -rf build-fuzz/crash-$$f && \
		mkdir -p build-fuzz/corpus-$$f build-fuzz/crash-$$f && \
		sh tests/fuzz/seed $$f build-fuzz/corpus-$$f && \
		echo "fuzz-$$f: $(FUZZTIME) s" && \
		ASAN_OPTIONS=detect_leaks=0 \
		build-fuzz/fuzz-$$f -max_total_time=$(FUZZTIME) \
			-max_len=4096 -timeout=10 -detect_leaks=0 \
			-fork=1 -ignore_crashes=1 -ignore_timeouts=1 \
			-ignore_ooms=1 -artifact_prefix=build-fuzz/crash-$$f/ \
			build-fuzz/corpus-$$f >build-fuzz/fuzz-$$f.log 2>&1; \
		tail -n 1 build-fuzz/fuzz-$$f.log; \
	done; \
	bad=$$(find build-fuzz/crash-* -type f | sort); \
	[ -z "$$bad" ] || { echo "crashes (logs: build-fuzz/fuzz-*.log):"; \
		echo "$$bad"; exit 1; }

bench: deps all
	@sh .ci/deps valgrind
	bash tests/bench/bench

demo: deps all
	sh examples/demo.sh

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	cp $(TOOLS:%=$(B)/%) $(B)/stap-bpf $(DESTDIR)$(BINDIR)/
	cp $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	cp $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	cp $(MAN7) $(DESTDIR)$(MANDIR)/man7/
	mkdir -p $(DESTDIR)$(TAPSETDIR)
	cp tapset/*.stp tapset/*.stpm $(DESTDIR)$(TAPSETDIR)/

clean:
	rm -rf build build-san build-fuzz

.PHONY: all deps labdeps check check-san replay fuzz fuzz-build bench demo \
	install clean
