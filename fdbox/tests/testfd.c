// SPDX-License-Identifier: GPL-2.0
/*
 * fdbox-testfd: helpers for the fdbox CLI scenario (tests/vm/fdbox-cli.sh).
 *
 *   fdbox-testfd hold FILE      copy FILE into a new memfd, print its
 *                               descriptor number on standard output, close
 *                               standard output and wait for a signal (the
 *                               process that 'fdbox put --pid' takes from)
 *   fdbox-testfd as UID CMD...  run CMD as user and group UID, without
 *                               supplementary groups or capabilities
 *
 * Copyright (C) 2026 The FDBox developers
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int hold(const char *path)
{
	char buf[65536];
	int in, fd;
	ssize_t n;

	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		perror(path);
		return 1;
	}
	fd = memfd_create("held", MFD_ALLOW_SEALING);
	if (fd < 0) {
		perror("memfd_create");
		return 1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(fd, buf, n) != n) {
			perror("write");
			return 1;
		}
	}
	if (n < 0) {
		perror(path);
		return 1;
	}
	close(in);
	lseek(fd, 0, SEEK_SET);
	printf("%d\n", fd);
	fflush(stdout);
	close(STDOUT_FILENO);
	for (;;)
		pause();
}

static int as_user(const char *uid_s, char **argv)
{
	char *end;
	long uid = strtol(uid_s, &end, 10);

	if (*end || uid <= 0) {
		fprintf(stderr, "fdbox-testfd: as: bad UID '%s'\n", uid_s);
		return 2;
	}
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
		perror("fdbox-testfd: as");
		return 1;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "fdbox-testfd: %s: %s\n", argv[0], strerror(errno));
	return 127;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return hold(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "as"))
		return as_user(argv[2], argv + 3);
	fprintf(stderr, "usage: fdbox-testfd hold FILE | as UID CMD [ARG...]\n");
	return 2;
}
