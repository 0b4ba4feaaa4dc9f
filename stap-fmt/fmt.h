/*
 * stap-fmt's private interface: main.c reads a script or a tree,
 * fmt.c prints the tree back as canonical SystemTap source.
 * Include ../lib/stap.h first.
 */

/*
 * Format s and return the text, malloc'd, its length in *len.  The
 * comments are taken to lie in source file mainfile; -1 guesses it.
 * A tree that cannot be printed is reported and exits 1.
 */
char *fmt_script(struct script *s, int mainfile, size_t *len);
