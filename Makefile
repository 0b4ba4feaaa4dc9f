# One build for everything.  Header dependencies are listed by hand.
# O names the object directory, so check-san can build beside the
# normal build without disturbing it.
include config.mk

O = build
B = $(O)/bin
TOOLS = stap-parse stap-resolve stap-bpfgen stap-bpfld stap-fmt
LIBOBJ = $(O)/obj/lib/arena.o $(O)/obj/lib/diag.o $(O)/obj/lib/lex.o \
	$(O)/obj/lib/pp.o $(O)/obj/lib/parse.o $(O)/obj/lib/tree.o \
	$(O)/obj/lib/check.o $(O)/obj/lib/hist.o
HDRS = lib/stap.h lib/node.def lib/child.def lib/op.def lib/hist.h
PARSEOBJ = $(O)/obj/stap-parse/main.o
FMTOBJ = $(O)/obj/stap-fmt/main.o $(O)/obj/stap-fmt/fmt.o \
	$(O)/obj/stap-fmt/list.o $(O)/obj/stap-fmt/disasm.o \
	$(O)/obj/stap-bpfld/printf.o $(O)/obj/stap-bpfld/meta.o \
	$(O)/obj/lib/bo.o
GENOBJ = $(O)/obj/stap-bpfgen/main.o $(O)/obj/stap-bpfgen/gen.o \
	$(O)/obj/stap-bpfgen/asm.o $(O)/obj/stap-bpfgen/elf.o \
	$(O)/obj/stap-bpfgen/btf.o $(O)/obj/stap-bpfgen/check.o \
	$(O)/obj/stap-bpfgen/basm.o $(O)/obj/stap-bpfgen/regex.o \
	$(O)/obj/stap-bpfgen/lower.o $(O)/obj/stap-bpfgen/ir.o \
	$(O)/obj/stap-bpfgen/opt.o
LDOBJ = $(O)/obj/stap-bpfld/main.o $(O)/obj/stap-bpfld/load.o \
	$(O)/obj/stap-bpfld/user.o $(O)/obj/stap-bpfld/events.o \
	$(O)/obj/stap-bpfld/printf.o $(O)/obj/stap-bpfld/meta.o \
	$(O)/obj/stap-bpfld/interp.o $(O)/obj/lib/bo.o
BPFLIBS != pkg-config --libs libbpf libelf 2>/dev/null || echo -lbpf -lelf
BPFCFLAGS != pkg-config --cflags libbpf libelf 2>/dev/null || true
RESOBJ = $(O)/obj/stap-resolve/main.o $(O)/obj/stap-resolve/builtins.o \
	$(O)/obj/stap-resolve/points.o $(O)/obj/stap-resolve/sym.o \
	$(O)/obj/stap-resolve/types.o
MAN1 = man/stap-parse.1 man/stap-resolve.1 man/stap-bpfgen.1 man/stap-bpfld.1 \
	man/stap-fmt.1
MAN5 = man/stap-tree.5 man/stap-bo.5 man/stap-events.5

SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZCC = clang
FUZZFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -DSAN \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZTIME = 60

all: $(TOOLS:%=$(B)/%)

$(O)/obj/lib/%.o: lib/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/obj/stap-parse/%.o: stap-parse/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/obj/stap-fmt/%.o: stap-fmt/%.c $(HDRS) stap-fmt/fmt.h \
	stap-bpfld/meta.h lib/bo.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib $(BPFCFLAGS) -c -o $@ $<

$(O)/obj/stap-resolve/%.o: stap-resolve/%.c $(HDRS) stap-resolve/resolve.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DTAPSETDIR='"$(TAPSETDIR)"' -c -o $@ $<

$(O)/obj/stap-bpfgen/%.o: stap-bpfgen/%.c $(HDRS) stap-bpfgen/gen.h \
	stap-bpfgen/bo.h stap-bpfgen/regex.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/obj/stap-bpfld/%.o: stap-bpfld/%.c $(HDRS) stap-bpfld/bpfld.h \
	stap-bpfld/meta.h stap-bpfld/interp.h lib/bo.h
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
	$(CC) $(LDFLAGS) -o $@ $(RESOBJ) $(O)/libstap.a

$(B)/stap-bpfgen: $(GENOBJ) $(O)/libstap.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(GENOBJ) $(O)/libstap.a

$(B)/stap-bpfld: $(LDOBJ) $(O)/libstap.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(LDOBJ) $(O)/libstap.a $(BPFLIBS)

$(B)/stap-fmt: $(FMTOBJ) $(O)/libstap.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(FMTOBJ) $(O)/libstap.a $(BPFLIBS)

# The set-up commands install what they miss (as root, on Debian).
deps:
	@sh .ci/deps gcc make pkg-config libbpf-dev libelf-dev libdw-dev bpftool

check: deps all
	tests/run

check-san: deps
	$(MAKE) O=build-san CFLAGS="$(CFLAGS) -DSAN $(SANFLAGS)" \
		LDFLAGS="$(LDFLAGS) $(SANFLAGS)" all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1 BIN=../build-san/bin \
		CFLAGS="$(CFLAGS) -DSAN $(SANFLAGS)" tests/run

# libFuzzer targets, one per stage input, each run FUZZTIME seconds.
FUZZERS = build-fuzz/fuzz-parse build-fuzz/fuzz-tree build-fuzz/fuzz-interp \
	build-fuzz/fuzz-bo build-fuzz/fuzz-events build-fuzz/fuzz-gen
LIBSRC = lib/arena.c lib/diag.c lib/lex.c lib/pp.c lib/parse.c lib/tree.c \
	lib/check.c lib/hist.c

build-fuzz/fuzz-parse build-fuzz/fuzz-tree: build-fuzz/fuzz-%: \
	tests/fuzz/%.c $(LIBSRC) $(HDRS)
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZFLAGS) -o $@ $< $(LIBSRC)

build-fuzz/fuzz-interp: tests/fuzz/interp.c stap-bpfld/interp.c \
	stap-bpfld/interp.h
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZFLAGS) -Ilib -o $@ tests/fuzz/interp.c \
		stap-bpfld/interp.c

build-fuzz/fuzz-events: tests/fuzz/events.c stap-bpfld/printf.c \
	stap-bpfld/meta.c stap-bpfld/meta.h $(LIBSRC) $(HDRS)
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZFLAGS) -Ilib -o $@ tests/fuzz/events.c \
		stap-bpfld/printf.c stap-bpfld/meta.c $(LIBSRC)

GENSRC = stap-bpfgen/gen.c stap-bpfgen/asm.c stap-bpfgen/elf.c \
	stap-bpfgen/btf.c stap-bpfgen/check.c stap-bpfgen/basm.c \
	stap-bpfgen/regex.c

build-fuzz/fuzz-gen: tests/fuzz/gen.c stap-bpfgen/main.c $(GENSRC) \
	stap-bpfgen/gen.h stap-bpfgen/bo.h $(LIBSRC) $(HDRS)
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZFLAGS) -Dmain=bpfgen_main -o $@ tests/fuzz/gen.c \
		stap-bpfgen/main.c $(GENSRC) $(LIBSRC)

build-fuzz/fuzz-bo: tests/fuzz/bo.c lib/bo.c lib/bo.h $(HDRS)
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZFLAGS) -Ilib $$(pkg-config --cflags libbpf libelf) \
		-o $@ tests/fuzz/bo.c lib/bo.c lib/arena.c lib/diag.c \
		$$(pkg-config --libs libbpf libelf)

fuzz-build:
	@sh .ci/deps clang libclang-rt-14-dev pkg-config libbpf-dev libelf-dev
	$(MAKE) $(FUZZERS)

fuzz: fuzz-build
	for f in parse tree interp bo events gen; do \
		mkdir -p build-fuzz/corpus-$$f && \
		sh tests/fuzz/seed.sh $$f build-fuzz/corpus-$$f && \
		ASAN_OPTIONS=detect_leaks=0 \
		build-fuzz/fuzz-$$f -max_total_time=$(FUZZTIME) \
			-max_len=4096 -timeout=10 -detect_leaks=0 \
			-artifact_prefix=build-fuzz/ \
			build-fuzz/corpus-$$f || exit 1; \
	done

bench: deps all
	@sh .ci/deps valgrind
	bash tests/bench/bench

demo: deps all
	sh examples/demo.sh

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5
	cp $(TOOLS:%=$(B)/%) $(DESTDIR)$(BINDIR)/
	cp $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	cp $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	mkdir -p $(DESTDIR)$(TAPSETDIR)
	cp tapset/*.stp $(DESTDIR)$(TAPSETDIR)/

clean:
	rm -rf build build-san build-fuzz

.PHONY: all deps check check-san fuzz fuzz-build bench demo install clean
