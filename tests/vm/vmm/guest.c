// SPDX-License-Identifier: GPL-2.0
/*
 * The init of the guest that tests/vm/fdbox-vmm.sh runs under QEMU inside
 * the test VM (statically linked, the guest initramfs holds nothing else).
 *
 * It fills part of the guest's RAM with a pattern derived from a seed, then
 * prints a heartbeat on the console every second,
 *
 *	GUEST-HB: COUNTER BOOT_ID UPTIME
 *
 * and every few heartbeats re-reads the whole pattern:
 *
 *	GUEST-CHECK: COUNTER ok MIB MiB in SECONDS s
 *	GUEST-CHECK: COUNTER BAD WORDS words of MIB MiB differ, first at OFFSET
 *
 * Kernel command line: guest.fill=MIB (default: 90 % of the available
 * memory less 32 MiB), guest.seed=N, guest.check=BEATS (default 5).
 *
 * Copyright (C) 2026 The FDBox developers
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

/* splitmix64: every word of the pattern from its index and the seed. */
static inline uint64_t word(uint64_t seed, uint64_t i)
{
	uint64_t z = seed + (i + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, len, f))
			buf[strcspn(buf, " \n")] = '\0';
		fclose(f);
	}
}

/* guest.KEY=VALUE from the kernel command line, or @def. */
static long param(const char *key, long def)
{
	char line[4096] = "", pat[64], *p;
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	snprintf(pat, sizeof(pat), "guest.%s=", key);
	p = strstr(line, pat);
	return p ? strtol(p + strlen(pat), NULL, 0) : def;
}

static long meminfo_kib(const char *key)
{
	char line[256];
	size_t len = strlen(key);
	long val = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':') {
			val = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

int main(void)
{
	uint64_t *mem, i, words, bad, first, seed;
	char boot_id[64], up[64];
	long mib, check, beat;
	double t;

	mount("proc", "/proc", "proc", 0, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	seed = param("seed", 1);
	check = param("check", 5);
	mib = param("fill", 0);
	/* Most of it, with room for the kernel's own needs (no swap here). */
	if (mib <= 0)
		mib = meminfo_kib("MemAvailable") / 1024 * 9 / 10 - 32;
	read_line("/proc/sys/kernel/random/boot_id", boot_id, sizeof(boot_id));

	words = (uint64_t)mib << 17;	/* 2^20 / 8 words per MiB */
	mem = mmap(NULL, (size_t)mib << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		printf("GUEST-ERROR: mmap of %ld MiB failed\n", mib);
		for (;;)
			pause();
	}
	t = now();
	for (i = 0; i < words; i++) {
		mem[i] = word(seed, i);
		if (!(i & ((1ULL << 25) - 1)) && i)	/* every 256 MiB */
			printf("GUEST-FILLING: %llu of %ld MiB\n",
			       (unsigned long long)(i >> 17), mib);
	}
	printf("GUEST-FILLED: %ld MiB seed %llu in %.1f s, boot_id %s\n", mib,
	       (unsigned long long)seed, now() - t, boot_id);

	for (beat = 1;; beat++) {
		sleep(1);
		read_line("/proc/uptime", up, sizeof(up));
		printf("GUEST-HB: %ld %s %s\n", beat, boot_id, up);
		if (beat % check)
			continue;
		t = now();
		bad = 0;
		first = 0;
		for (i = 0; i < words; i++) {
			if (mem[i] == word(seed, i))
				continue;
			if (!bad++)
				first = i * 8;
		}
		if (!bad)
			printf("GUEST-CHECK: %ld ok %ld MiB in %.1f s\n", beat,
			       mib, now() - t);
		else
			printf("GUEST-CHECK: %ld BAD %llu words of %ld MiB differ, first at offset %llu\n",
			       beat, (unsigned long long)bad, mib,
			       (unsigned long long)first);
	}
}
