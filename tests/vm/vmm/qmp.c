// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-qmp: a minimal QMP client for tests/vm/fdbox-vmm.sh. The test kernel
 * has no networking (no unix sockets), so QEMU's monitor is a pipe chardev:
 *
 *   -chardev pipe,id=qmp,path=PATH -mon chardev=qmp,mode=control
 *
 * with the FIFOs PATH.in (QEMU reads) and PATH.out (QEMU writes) made
 * beforehand. The session lives as long as QEMU; each call of this client
 * sends qmp_capabilities (an error once negotiated, ignored) and its
 * commands, each tagged with an "id", and prints the reply carrying that id
 * on one line: greetings, events and stale replies are skipped.
 *
 *   vmm-qmp [-t SECONDS] PATH JSON...   exit code 1 if a reply is an error,
 *                                       3 on a timeout (default 60 s) or if
 *                                       QEMU is gone
 *   vmm-qmp tsc                         print the time stamp counter and
 *                                       CLOCK_BOOTTIME in seconds (the TSC
 *                                       runs on across kexec: under TCG it is
 *                                       the host's)
 *
 * Copyright (C) 2026 The FDBox developers
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 20];
static size_t have, consumed;

/* One line of QEMU's output (without CR LF), or NULL at the end. */
static char *read_line(int fd)
{
	char *nl;
	ssize_t n;

	if (consumed) {
		memmove(buf, buf + consumed, have - consumed);
		have -= consumed;
		consumed = 0;
	}
	for (;;) {
		nl = memchr(buf, '\n', have);
		if (nl) {
			*nl = '\0';
			if (nl > buf && nl[-1] == '\r')
				nl[-1] = '\0';
			consumed = nl - buf + 1;
			return buf;
		}
		if (have == sizeof(buf) - 1)
			have = 0;	/* an endless line: drop it */
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		have += n;
	}
}

static int send_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= n;
	}
	return 0;
}

/*
 * Send @cmd (a JSON object) with "id": @id and wait for its reply, printed
 * if @print. 0 for a "return", 1 for an "error", 3 if QEMU is gone.
 */
static int command(int in, int out, const char *cmd, const char *id, int print)
{
	char tag[64], *line;

	while (*cmd == ' ' || *cmd == '\t' || *cmd == '\n')
		cmd++;
	if (*cmd != '{') {
		fprintf(stderr, "vmm-qmp: not a JSON object: %s\n", cmd);
		return 2;
	}
	snprintf(tag, sizeof(tag), "{\"id\": \"%s\", ", id);
	if (send_all(in, tag, strlen(tag)) || send_all(in, cmd + 1, strlen(cmd + 1)) ||
	    send_all(in, "\n", 1)) {
		fprintf(stderr, "vmm-qmp: write: %s\n", strerror(errno));
		return 3;
	}
	snprintf(tag, sizeof(tag), "\"id\": \"%s\"", id);
	while ((line = read_line(out))) {
		if (!strstr(line, tag))
			continue;
		if (print)
			printf("%s\n", line);
		return strstr(line, "\"error\"") ? 1 : 0;
	}
	fprintf(stderr, "vmm-qmp: QEMU closed its monitor\n");
	return 3;
}

static void timeout(int sig)
{
	static const char msg[] = "vmm-qmp: timeout, no reply from QEMU\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

static int tsc(void)
{
	uint32_t lo, hi;
	struct timespec ts;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	clock_gettime(CLOCK_BOOTTIME, &ts);
	printf("%llu %ld.%09ld\n", ((unsigned long long)hi << 32) | lo,
	       (long)ts.tv_sec, ts.tv_nsec);
	return 0;
}

int main(int argc, char **argv)
{
	char path[4096], id[64];
	int in, out, i, rc = 0, secs = 60;

	if (argc == 2 && !strcmp(argv[1], "tsc"))
		return tsc();
	if (argc > 3 && !strcmp(argv[1], "-t")) {
		secs = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 2 || secs <= 0) {
		fprintf(stderr, "usage: vmm-qmp [-t SECONDS] PATH JSON... | vmm-qmp tsc\n");
		return 2;
	}
	signal(SIGALRM, timeout);
	signal(SIGPIPE, SIG_IGN);
	alarm(secs);
	/* Blocks until QEMU has opened its end. */
	snprintf(path, sizeof(path), "%s.out", argv[1]);
	out = open(path, O_RDONLY | O_CLOEXEC);
	if (out < 0) {
		fprintf(stderr, "vmm-qmp: %s: %s\n", path, strerror(errno));
		return 3;
	}
	snprintf(path, sizeof(path), "%s.in", argv[1]);
	in = open(path, O_WRONLY | O_CLOEXEC);
	if (in < 0) {
		fprintf(stderr, "vmm-qmp: %s: %s\n", path, strerror(errno));
		return 3;
	}
	snprintf(id, sizeof(id), "cap-%d", (int)getpid());
	rc = command(in, out, "{\"execute\": \"qmp_capabilities\"}", id, 0);
	if (rc > 1)
		return rc;
	rc = 0;
	for (i = 2; i < argc && !rc; i++) {
		snprintf(id, sizeof(id), "cmd-%d-%d", (int)getpid(), i);
		rc = command(in, out, argv[i], id, 1);
	}
	return rc;
}
