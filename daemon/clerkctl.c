/* clerkctl: placeholder main, replaced as the foundation lands. */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("clerkctl %s\n", PACKAGE_VERSION);
		return 0;
	}
	printf("usage: clerkctl [-c FILE] [--help] [--version]\n");
	return 0;
}
