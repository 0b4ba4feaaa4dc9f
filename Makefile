# One build for everything.  Header dependencies are listed by hand.
include config.mk

O = build
TOOLS = stap-parse stap-fmt
LIBOBJ = $(O)/obj/lib/arena.o $(O)/obj/lib/diag.o $(O)/obj/lib/lex.o $(O)/obj/lib/pp.o \
	$(O)/obj/lib/parse.o $(O)/obj/lib/tree.o
HDRS = lib/stap.h lib/node.def lib/child.def lib/op.def
FMTOBJ = $(O)/obj/stap-fmt/main.o $(O)/obj/stap-fmt/fmt.o

B = $(O)/bin

all: $(TOOLS:%=$(B)/%)

$(O)/obj/lib/%.o: lib/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/obj/stap-parse/%.o: stap-parse/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/obj/stap-fmt/%.o: stap-fmt/%.c $(HDRS) stap-fmt/fmt.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/libstap.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(B)/stap-parse: $(O)/obj/stap-parse/main.o $(O)/libstap.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(O)/obj/stap-parse/main.o $(O)/libstap.a

$(B)/stap-fmt: $(FMTOBJ) $(O)/libstap.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(FMTOBJ) $(O)/libstap.a

clean:
	rm -rf build build-san build-fuzz

.PHONY: all clean
