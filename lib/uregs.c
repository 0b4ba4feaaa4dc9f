/*
 * The x86-64 registers by the names SystemTap's register() and the
 * SDT argument strings of sys/sdt.h use (%eax, %r8d, %sil...): where
 * each lives in the struct pt_regs a uprobe program gets as its
 * context, and how many of its low bytes the name covers.  stap-resolve
 * turns SDT operands into register() calls with these names,
 * stap-bpfgen lowers the calls.  The offsets are the kernel's
 * user-visible pt_regs layout (asm/ptrace.h), stable ABI.
 */
#include <string.h>

#include "stap.h"

static const struct {
	const char *name[4];    /* 8, 4, 2 and 1 bytes wide */
	int off;
} regs[] = {
	{ { "r15", "r15d", "r15w", "r15b" }, 0 },
	{ { "r14", "r14d", "r14w", "r14b" }, 8 },
	{ { "r13", "r13d", "r13w", "r13b" }, 16 },
	{ { "r12", "r12d", "r12w", "r12b" }, 24 },
	{ { "rbp", "ebp", "bp", "bpl" }, 32 },
	{ { "rbx", "ebx", "bx", "bl" }, 40 },
	{ { "r11", "r11d", "r11w", "r11b" }, 48 },
	{ { "r10", "r10d", "r10w", "r10b" }, 56 },
	{ { "r9", "r9d", "r9w", "r9b" }, 64 },
	{ { "r8", "r8d", "r8w", "r8b" }, 72 },
	{ { "rax", "eax", "ax", "al" }, 80 },
	{ { "rcx", "ecx", "cx", "cl" }, 88 },
	{ { "rdx", "edx", "dx", "dl" }, 96 },
	{ { "rsi", "esi", "si", "sil" }, 104 },
	{ { "rdi", "edi", "di", "dil" }, 112 },
	{ { "orig_rax", "orig_eax", "orig_ax", NULL }, 120 },
	{ { "rip", "eip", "ip", NULL }, 128 },
	{ { "xcs", NULL, "cs", NULL }, 136 },
	{ { "eflags", NULL, "flags", NULL }, 144 },
	{ { "rsp", "esp", "sp", "spl" }, 152 },
	{ { "xss", NULL, "ss", NULL }, 160 },
};

int
uregs_find(const char *name, int *off, int *size)
{
	size_t i;
	int w;

	for (i = 0; i < NELEM(regs); i++)
		for (w = 0; w < 4; w++)
			if (regs[i].name[w] && !strcmp(regs[i].name[w],
			    name)) {
				*off = regs[i].off;
				*size = 8 >> w;
				return 0;
			}
	/* the second byte of ax, bx, cx and dx */
	if (strlen(name) == 2 && name[1] == 'h' && strchr("abcd", name[0])) {
		static const int at[] = { 80, 40, 88, 96 };

		*off = at[name[0] - 'a'] + 1;
		*size = 1;
		return 0;
	}
	/* the 8-bit forms gas also accepts for r8-r15 */
	if (name[0] == 'r' && strlen(name) >= 3 &&
	    name[strlen(name) - 1] == 'l') {
		char alt[8];

		snprintf(alt, sizeof alt, "%.*sb", (int)strlen(name) - 1,
		    name);
		if (strcmp(alt, name))
			return uregs_find(alt, off, size);
	}
	return -1;
}

const char *
uregs_name(int off)
{
	size_t i;

	for (i = 0; i < NELEM(regs); i++)
		if (regs[i].off == off)
			return regs[i].name[0];
	return NULL;
}
