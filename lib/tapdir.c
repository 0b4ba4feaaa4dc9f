/*
 * Where the tapset library is: stap-parse reads its macro files
 * (*.stpm) and stap-resolve its scripts (*.stp) from the same place.
 */
#include <string.h>
#include <unistd.h>

#include "stap.h"

#ifndef TAPSETDIR
#define TAPSETDIR "/usr/local/share/stap-bpf/tapset"
#endif

/* The tapset next to an uninstalled build, else the installed one. */
const char *
tapset_dir(void)
{
	static char path[4200];
	char exe[4000];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/'))) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/../../tapset", exe);
			if (access(path, R_OK) == 0)
				return path;
			/* installed under any PREFIX: PREFIX/bin,
			 * PREFIX/share */
			snprintf(path, sizeof path,
			    "%s/../share/stap-bpf/tapset", exe);
			if (access(path, R_OK) == 0)
				return path;
		}
	}
	return TAPSETDIR;
}
