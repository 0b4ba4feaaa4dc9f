/*
 * stap-fmt's private interface: main.c reads a script, a tree, a .bo
 * or an event stream; fmt.c prints a tree back as canonical SystemTap
 * source, list.c lists a .bo with disasm.c's help, and event streams go
 * to the renderer of lib/meta.h.
 * Include ../lib/stap.h first.
 */

/*
 * Format s and return the text, malloc'd, its length in *len.  The
 * comments are taken to lie in source file mainfile; -1 guesses it.
 * A tree that cannot be printed is reported and exits 1.
 */
char *fmt_script(struct script *s, int mainfile, size_t *len);

/*
 * list.c: print the listing of the .bo in data (man/stap-fmt.1).  A
 * file that is not a readable .bo is reported in one line and exits 1.
 */
void list_bo(FILE *out, const void *data, size_t len, const char *name);

/*
 * disasm.c: print the instruction at in, with left instructions from
 * it to the program's end; map names the map a relocation says it
 * loads, or is NULL.  Returns the slots it took (2 for a 64-bit load).
 */
struct bpf_insn;
size_t disasm_insn(FILE *out, const struct bpf_insn *in, size_t left,
    const char *map);
