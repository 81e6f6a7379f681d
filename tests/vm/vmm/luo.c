// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-luo: the LUO side of make bench-vm (tests/vm/fdbox-vmm.sh, mode luo).
 * It does with /dev/liveupdate what 'fdbox put --pid' and 'fdbox exec' do
 * with a box, so that the same VM flow can be timed on both:
 *
 *   vmm-luo preserve SESSION PID FD STATE
 *	take descriptor FD of process PID (pidfd_getfd(2)): the guest's RAM
 *	memfd, copy the file STATE (QEMU's device state, a few hundred KiB)
 *	into a memfd (LUO preserves memfds only), create the LUO session
 *	SESSION and preserve both (tokens 1 and 2). A child keeps the session
 *	open until the kexec (LUO drops a session whose last descriptor is
 *	closed). Prints the RAM memfd's resident pages and the time taken.
 *
 *   vmm-luo exec SESSION -- COMMAND [ARG...]
 *	retrieve the session and its two files, finish the session, and exec
 *	COMMAND with the RAM memfd as fd 3 and the state as fd 4 (as
 *	'fdbox exec' hands them). Prints the time taken.
 *
 * Copyright (C) 2026 The FDBox developers
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/liveupdate.h>

#define TOKEN_RAM	1
#define TOKEN_STATE	2
/* Above the descriptors COMMAND gets (3 and 4) while they are shuffled. */
#define FD_PARK		16

static void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "vmm-luo: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int park(int fd)
{
	int p = fcntl(fd, F_DUPFD_CLOEXEC, FD_PARK);

	if (p < 0)
		die("fcntl(F_DUPFD)");
	close(fd);
	return p;
}

static int session(const char *name, unsigned long cmd)
{
	struct liveupdate_ioctl_create_session s = { .size = sizeof(s) };
	int luo;

	if (strlen(name) >= sizeof(s.name)) {
		errno = ENAMETOOLONG;
		die("session name %s", name);
	}
	luo = open("/dev/liveupdate", O_RDWR | O_CLOEXEC);
	if (luo < 0)
		die("open /dev/liveupdate");
	strcpy((char *)s.name, name);
	if (ioctl(luo, cmd, &s))
		die("%s session %s", cmd == LIVEUPDATE_IOCTL_CREATE_SESSION ?
		    "create" : "retrieve", name);
	close(luo);
	return park(s.fd);
}

/* Resident pages of a memfd (mincore of a shared mapping). */
static long resident(int fd)
{
	long page = sysconf(_SC_PAGESIZE), n = 0;
	unsigned char *vec;
	struct stat st;
	size_t pages, i;
	void *p;

	if (fstat(fd, &st) || !st.st_size)
		return 0;
	pages = (st.st_size + page - 1) / page;
	p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	vec = malloc(pages);
	if (p == MAP_FAILED || !vec || mincore(p, st.st_size, vec))
		die("mincore");
	for (i = 0; i < pages; i++)
		n += vec[i] & 1;
	munmap(p, st.st_size);
	free(vec);
	return n;
}

static void preserve_fd(int s, int fd, unsigned long token)
{
	struct liveupdate_session_preserve_fd p = {
		.size = sizeof(p), .fd = fd, .token = token,
	};

	if (ioctl(s, LIVEUPDATE_SESSION_PRESERVE_FD, &p))
		die("LIVEUPDATE_SESSION_PRESERVE_FD token %lu", token);
}

static int preserve(char **argv)
{
	int pidfd, ram, state, in, s;
	double t0, t1;
	char buf[65536];
	ssize_t n;
	long pages;
	pid_t pid;

	t0 = now();
	pidfd = syscall(SYS_pidfd_open, atoi(argv[1]), 0);
	if (pidfd < 0)
		die("pidfd_open %s", argv[1]);
	ram = syscall(SYS_pidfd_getfd, pidfd, atoi(argv[2]), 0);
	if (ram < 0)
		die("pidfd_getfd %s", argv[2]);
	in = open(argv[3], O_RDONLY | O_CLOEXEC);
	if (in < 0)
		die("open %s", argv[3]);
	state = memfd_create("state", MFD_CLOEXEC);
	if (state < 0)
		die("memfd_create");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(state, buf, n) != n)
			die("write state");
	if (n < 0)
		die("read %s", argv[3]);
	close(in);
	/* LUO keeps the file position: QEMU reads the state from the start. */
	if (lseek(state, 0, SEEK_SET))
		die("lseek");
	s = session(argv[0], LIVEUPDATE_IOCTL_CREATE_SESSION);
	preserve_fd(s, ram, TOKEN_RAM);
	preserve_fd(s, state, TOKEN_STATE);
	t1 = now();
	pages = resident(ram);
	printf("vmm-luo: session %s: ram (%ld pages resident) and state preserved in %.3f s\n",
	       argv[0], pages, t1 - t0);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* Hold the session (and the files) until the kexec. */
		setsid();
		close(0);
		close(1);
		close(2);
		for (;;)
			pause();
	}
	return 0;
}

static int retrieve_fd(int s, unsigned long token)
{
	struct liveupdate_session_retrieve_fd r = {
		.size = sizeof(r), .token = token,
	};

	if (ioctl(s, LIVEUPDATE_SESSION_RETRIEVE_FD, &r))
		die("LIVEUPDATE_SESSION_RETRIEVE_FD token %lu", token);
	return park(r.fd);
}

static int do_exec(char *name, char **cmd)
{
	struct liveupdate_session_finish fin = { .size = sizeof(fin) };
	int s, ram, state;
	double t0;

	t0 = now();
	s = session(name, LIVEUPDATE_IOCTL_RETRIEVE_SESSION);
	ram = retrieve_fd(s, TOKEN_RAM);
	state = retrieve_fd(s, TOKEN_STATE);
	if (ioctl(s, LIVEUPDATE_SESSION_FINISH, &fin))
		die("LIVEUPDATE_SESSION_FINISH");
	close(s);
	/* dup2() leaves the new descriptors open across exec. */
	if (dup2(ram, 3) != 3 || dup2(state, 4) != 4)
		die("dup2");
	close(ram);
	close(state);
	printf("vmm-luo: exec %s: retrieved (2 files) in %.3f s; fd 3 ram, fd 4 state; running %s\n",
	       name, now() - t0, cmd[0]);
	fflush(stdout);
	execvp(cmd[0], cmd);
	die("exec %s", cmd[0]);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "preserve"))
		return preserve(argv + 2);
	if (argc >= 5 && !strcmp(argv[1], "exec") && !strcmp(argv[3], "--"))
		return do_exec(argv[2], argv + 4);
	fprintf(stderr, "usage: vmm-luo preserve SESSION PID FD STATE\n"
		"       vmm-luo exec SESSION -- COMMAND [ARG...]\n");
	return 2;
}
