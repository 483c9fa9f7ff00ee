/* write-fixture M: makes exactly M write(2) syscalls of one byte each to /dev/null, and no
 * other write, so a probe's count of the process's writes can be checked exactly. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end = NULL;
	long writes = argc == 2 ? strtol(argv[1], &end, 10) : -1;

	if (argc != 2 || *end != '\0' || writes < 0)
		return 64; /* no usage message: it would be a write */
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null < 0)
		return 2;
	for (long i = 0; i < writes; i++) {
		if (write(null, "x", 1) != 1)
			return 2;
	}
	return 0;
}
