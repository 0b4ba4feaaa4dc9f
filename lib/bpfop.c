/*
 * The names of BPF's ALU and jump operations as both stap-bpfgen's IR
 * dump and stap-fmt's disassembler print them (the kernel verifier's
 * notation): indexed by BPF_OP(code) >> 4, NULL where there is none.
 */
#include "stap.h"

const char *const bpfop_alu[16] = {
	"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
	NULL, "%=", "^=", "=", "s>>=", NULL, NULL, NULL,
};

const char *const bpfop_jmp[16] = {
	NULL, "==", ">", ">=", "&", "!=", "s>", "s>=",
	NULL, NULL, "<", "<=", "s<", "s<=", NULL, NULL,
};
