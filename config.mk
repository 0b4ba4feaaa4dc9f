# Edit to taste.
PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
TAPSETDIR = $(PREFIX)/share/stap-bpf/tapset
CC = cc
CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -g -O2 -Wall -Wextra \
	-Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
LDFLAGS =
