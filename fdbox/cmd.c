// SPDX-License-Identifier: GPL-2.0
/*
 * The verbs that manage boxes: create, delete, list, seal, unseal, status.
 *
 * Copyright (C) 2026 The FDBox developers
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdbox.h"

#define KHO_DEBUGFS	"/sys/kernel/debug/kho"
#define LIVEUPDATE_DEV	"/dev/liveupdate"

int cli_open_ctl(enum fdbox_op op, const char *box, int flags, int *fd)
{
	int err = fdbox_open_ctl(flags, fd);

	return err ? report_ctl(op, box, err) : EXIT_OK;
}

/*
 * Open the node of @box for @op. A missing node means "no such box" when the
 * control node is there, and "no FDBox" (exit code 3) when it is not.
 */
int cli_open_box(enum fdbox_op op, const char *box, int flags, int *fd)
{
	int err = fdbox_open_box(box, flags, fd);

	if (!err)
		return EXIT_OK;
	if ((err == ENOENT || err == ENOTDIR) && access(fdbox_ctl_path(), F_OK))
		return report_ctl(op, box, errno);
	return report_open(op, box, err);
}

int cmd_create(int argc, char **argv)
{
	const char *box = argv[0];
	int ctl, err, ret;

	(void)argc;
	ret = check_name("create", box, true);
	if (!ret)
		ret = cli_open_ctl(OP_CREATE, box, O_RDWR, &ctl);
	if (ret)
		return ret;
	err = fdbox_create(ctl, box);
	close(ctl);
	return err ? report(OP_CREATE, box, NULL, err) : EXIT_OK;
}

int cmd_delete(int argc, char **argv)
{
	const char *box = argv[0];
	int ctl, err, ret;

	(void)argc;
	ret = check_name("delete", box, true);
	if (!ret)
		ret = cli_open_ctl(OP_DELETE, box, O_RDWR, &ctl);
	if (ret)
		return ret;
	err = fdbox_delete(ctl, box);
	close(ctl);
	return err ? report(OP_DELETE, box, NULL, err) : EXIT_OK;
}

/* ---- list ---- */

/* The widest of @nr names, @stride bytes apart from @first, and @min. */
static int name_width(const char *first, size_t stride, unsigned int nr,
		      int min)
{
	unsigned int i;
	int w = min;

	for (i = 0; i < nr; i++, first += stride) {
		int len = name_shown_width(first);

		if (len > w)
			w = len;
	}
	return w;
}

static void print_box_json(const struct fdbox_box_info *b)
{
	json_string("name", b->name);
	json_string("state", fdbox_box_state_name(b->state));
	json_bool("incoming", b->flags & FDBOX_BOX_INCOMING);
	json_u64("files", b->nr_files);
}

static int list_boxes(void)
{
	struct fdbox_box_info *boxes;
	unsigned int i, nr;
	int ctl, err, ret, w;

	ret = cli_open_ctl(OP_LIST, NULL, O_RDONLY, &ctl);
	if (ret)
		return ret;
	err = fdbox_list_boxes(ctl, &boxes, &nr);
	close(ctl);
	if (err)
		return report(OP_LIST, NULL, NULL, err);

	if (opts.json) {
		json_begin_object(NULL);
		json_begin_array("boxes");
		for (i = 0; i < nr; i++) {
			json_begin_object(NULL);
			print_box_json(&boxes[i]);
			json_end_object();
		}
		json_end_array();
		json_end_object();
		json_end();
		free(boxes);
		return EXIT_OK;
	}

	w = name_width(nr ? boxes->name : NULL, sizeof(*boxes), nr, 4);
	if (!opts.quiet)
		printf("%-*s  %-6s  %-8s  %5s\n", w, "NAME", "STATE",
		       "INCOMING", "FILES");
	for (i = 0; i < nr; i++) {
		int len = name_shown_width(boxes[i].name);

		fput_name(stdout, boxes[i].name);
		printf("%*s  %-6s  %-8s  %5u\n", w - len, "",
		       fdbox_box_state_name(boxes[i].state),
		       boxes[i].flags & FDBOX_BOX_INCOMING ? "yes" : "no",
		       boxes[i].nr_files);
	}
	free(boxes);
	return EXIT_OK;
}

static void print_files_json(const char *box, const struct fdbox_box_info *info,
			     const struct fdbox_file_info *files,
			     unsigned int nr)
{
	unsigned int i;

	json_begin_object(NULL);
	json_string("name", box);
	/* The box's own state needs the control node, which may be root's. */
	if (info) {
		json_string("state", fdbox_box_state_name(info->state));
		json_bool("incoming", info->flags & FDBOX_BOX_INCOMING);
	} else {
		json_null("state");
		json_null("incoming");
	}
	json_begin_array("files");
	for (i = 0; i < nr; i++) {
		const struct fdbox_file_info *f = &files[i];

		json_begin_object(NULL);
		json_string("name", f->name);
		json_string("type", f->compatible);
		json_string("state", fdbox_file_state_name(f->state));
		json_u64("size", f->size);
		json_int("errno", f->error);
		json_string("error", f->error ? strerror(f->error) : NULL);
		json_end_object();
	}
	json_end_array();
	json_end_object();
	json_end();
}

static void print_files_text(const struct fdbox_file_info *files,
			     unsigned int nr)
{
	unsigned int i;
	int w, tw;

	w = name_width(nr ? files->name : NULL, sizeof(*files), nr, 4);
	tw = name_width(nr ? files->compatible : NULL, sizeof(*files), nr, 4);
	if (!opts.quiet)
		printf("%-*s  %-*s  %-8s  %14s  %s\n", w, "NAME", tw, "TYPE",
		       "STATE", "SIZE", "ERROR");
	for (i = 0; i < nr; i++) {
		const struct fdbox_file_info *f = &files[i];

		fput_name(stdout, f->name);
		printf("%*s  ", w - name_shown_width(f->name), "");
		fput_name(stdout, f->compatible);
		printf("%*s  %-8s  %14llu  %s\n",
		       tw - name_shown_width(f->compatible), "",
		       fdbox_file_state_name(f->state),
		       (unsigned long long)f->size,
		       f->error ? strerror(f->error) : "-");
	}
}

/* The box's state from the control node, if it can be opened. */
static bool box_info(const char *box, struct fdbox_box_info *info)
{
	int ctl, err;

	if (fdbox_open_ctl(O_RDONLY, &ctl))
		return false;
	err = fdbox_find_box(ctl, box, info);
	close(ctl);
	return !err;
}

static int list_files(const char *box)
{
	struct fdbox_file_info *files;
	struct fdbox_box_info info;
	unsigned int nr;
	int fd, err, ret;

	ret = check_name("list", box, true);
	if (!ret)
		ret = cli_open_box(OP_LIST, box, O_RDONLY, &fd);
	if (ret)
		return ret;
	err = fdbox_list_files(fd, &files, &nr);
	close(fd);
	if (err)
		return report(OP_LIST, box, NULL, err);
	if (opts.json)
		print_files_json(box, box_info(box, &info) ? &info : NULL,
				 files, nr);
	else if (nr || !opts.quiet)
		print_files_text(files, nr);
	free(files);
	return EXIT_OK;
}

int cmd_list(int argc, char **argv)
{
	return argc ? list_files(argv[0]) : list_boxes();
}

/* ---- seal, unseal ---- */

int cmd_seal(int argc, char **argv)
{
	const char *box = argv[0];
	int fd, err, ret;

	(void)argc;
	ret = check_name("seal", box, true);
	if (!ret)
		ret = cli_open_box(OP_SEAL, box, O_RDWR, &fd);
	if (ret)
		return ret;
	err = fdbox_seal(fd);
	close(fd);
	return err ? report(OP_SEAL, box, NULL, err) : EXIT_OK;
}

int cmd_discard(int argc, char **argv)
{
	const char *box = argv[0], *name = argv[1];
	int fd, err, ret;

	(void)argc;
	ret = check_name("discard", box, true);
	if (!ret)
		ret = check_name("discard", name, false);
	if (!ret)
		ret = cli_open_box(OP_DISCARD, box, O_RDWR, &fd);
	if (ret)
		return ret;
	err = fdbox_discard(fd, name);
	close(fd);
	return err ? report(OP_DISCARD, box, name, err) : EXIT_OK;
}

int cmd_unseal(int argc, char **argv)
{
	const char *box = argv[0];
	unsigned int restored, failed;
	int fd, err, ret;

	(void)argc;
	ret = check_name("unseal", box, true);
	if (!ret)
		ret = cli_open_box(OP_UNSEAL, box, O_RDWR, &fd);
	if (ret)
		return ret;
	err = fdbox_unseal(fd, &restored, &failed);
	close(fd);
	if (err)
		return report(OP_UNSEAL, box, NULL, err);

	if (opts.json) {
		json_begin_object(NULL);
		json_string("box", box);
		json_u64("restored", restored);
		json_u64("failed", failed);
		json_end_object();
		json_end();
	} else if (!opts.quiet) {
		printf("unseal ");
		fput_name(stdout, box);
		printf(": %u restored, %u failed\n", restored, failed);
	}
	if (!failed)
		return EXIT_OK;
	fprintf(stderr, "%s: unseal ", progname);
	fput_name(stderr, box);
	fprintf(stderr, ": %u file%s not restored; they stay in the box, 'fdbox list ",
		failed, failed == 1 ? "" : "s");
	fput_name(stderr, box);
	fprintf(stderr, "' shows why and 'fdbox get' tries again\n");
	return EXIT_FAIL;
}

/* ---- status ---- */

struct status {
	int ctl_err;		/* 0 if the control node opened */
	int list_err;		/* 0 if the boxes could be counted */
	int kho;		/* 1 enabled, 0 disabled, -1 unknown */
	const char *kho_source;	/* where that came from */
	int kho_boot;		/* 1 booted by a KHO kexec, 0 not, -1 unknown */
	bool liveupdate;	/* /dev/liveupdate exists */
	unsigned int total, open, sealed, incoming;
	/* Memory, in bytes; -1 where unknown. */
	long long scratch;	/* KHO scratch areas (debugfs scratch_len) */
	long long free_outside;	/* MemFree - CmaFree: free outside scratch */
	long long box_mem;	/* pages held by files of open and sealed boxes */
	long long box_in_scratch; /* of those, in scratch: SEAL must move them */
};

/* "Key:   N kB" of /proc/meminfo in bytes, or -1. */
static long long meminfo_bytes(const char *key)
{
	size_t len = strlen(key);
	long long val = -1;
	char line[256];
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, len) && line[len] == ':') {
			val = strtoll(line + len + 1, NULL, 10) * 1024;
			break;
		}
	}
	fclose(f);
	return val;
}

/* The sum of KHO's scratch_len lines (debugfs), or -1. */
static long long kho_scratch_bytes(void)
{
	long long sum = 0;
	char line[64];
	bool any = false;
	FILE *f;

	f = fopen(KHO_DEBUGFS "/out/scratch_len", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		sum += strtoll(line, NULL, 0);
		any = true;
	}
	fclose(f);
	return any ? sum : -1;
}

/*
 * How much memory the files of open and sealed boxes hold, and how much of it
 * lies in the KHO scratch areas (the kernel's count, per file, in LIST_FDS).
 */
static void box_memory(struct status *s, const struct fdbox_box_info *boxes,
		       unsigned int nr)
{
	long page = sysconf(_SC_PAGESIZE);
	struct fdbox_file_info *files;
	unsigned int i, j, nr_files;
	int fd;

	s->box_mem = 0;
	s->box_in_scratch = 0;
	for (i = 0; i < nr; i++) {
		if (boxes[i].flags & FDBOX_BOX_INCOMING)
			continue;
		if (fdbox_open_box(boxes[i].name, O_RDONLY, &fd))
			goto unknown;
		if (fdbox_list_files(fd, &files, &nr_files)) {
			close(fd);
			goto unknown;
		}
		close(fd);
		for (j = 0; j < nr_files; j++) {
			s->box_mem += files[j].nr_pages * page;
			s->box_in_scratch += files[j].nr_scratch_pages * page;
		}
		free(files);
	}
	return;
unknown:
	s->box_mem = -1;
	s->box_in_scratch = -1;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The last "kho=" on the kernel command line, as kstrtobool() reads it. */
static int kho_cmdline(void)
{
	char buf[4096], *tok, *save;
	int val = -1, fd;
	ssize_t n;

	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (tok = strtok_r(buf, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (strncmp(tok, "kho=", 4))
			continue;
		tok += 4;
		if (strchr("yYtT1", tok[0]) || !strcasecmp(tok, "on"))
			val = 1;
		else if (strchr("nNfF0", tok[0]) || !strcasecmp(tok, "off"))
			val = 0;
	}
	return val;
}

/*
 * KHO has no sysfs switch: kexec_handover.c creates /sys/kernel/debug/kho/
 * only when it is enabled (and kho/in/ when this kernel was booted with
 * handover data). Without debugfs, the command line is the next best source.
 */
static void kho_status(struct status *s)
{
	s->kho = -1;
	s->kho_boot = -1;
	s->kho_source = NULL;
	if (is_dir(KHO_DEBUGFS)) {
		s->kho = 1;
		s->kho_source = "debugfs";
		s->kho_boot = is_dir(KHO_DEBUGFS "/in");
		return;
	}
	s->kho = kho_cmdline();
	if (s->kho >= 0)
		s->kho_source = "cmdline";
}

static void box_counts(struct status *s, int ctl)
{
	struct fdbox_box_info *boxes;
	unsigned int i, nr;

	s->list_err = fdbox_list_boxes(ctl, &boxes, &nr);
	if (s->list_err)
		return;
	s->total = nr;
	for (i = 0; i < nr; i++) {
		if (boxes[i].state == FDBOX_BOX_OPEN)
			s->open++;
		else if (boxes[i].flags & FDBOX_BOX_INCOMING)
			s->incoming++;
		else
			s->sealed++;
	}
	box_memory(s, boxes, nr);
	free(boxes);
}

static void json_tristate(const char *key, int val)
{
	if (val < 0)
		json_null(key);
	else
		json_bool(key, val);
}

/* A byte count, or null where it is unknown (negative). */
static void json_bytes(const char *key, long long val)
{
	if (val < 0)
		json_null(key);
	else
		json_int(key, val);
}

static void status_json(const struct status *s)
{
	json_begin_object(NULL);
	json_string("version", FDBOX_VERSION);
	json_bool("available", !s->ctl_err || s->ctl_err == EACCES);
	json_string("control", fdbox_ctl_path());
	json_string("error", s->ctl_err ? strerror(s->ctl_err) : NULL);
	json_begin_object("kho");
	json_tristate("enabled", s->kho);
	json_string("source", s->kho_source);
	json_tristate("kexec_boot", s->kho_boot);
	json_end_object();
	json_bool("liveupdate", s->liveupdate);
	json_begin_object("memory");
	json_bytes("kho_scratch_bytes", s->scratch);
	json_bytes("free_outside_scratch_bytes", s->free_outside);
	json_bytes("box_bytes", s->box_mem);
	json_bytes("box_in_scratch_bytes", s->box_in_scratch);
	/* Negative: SEAL can not move what lies in scratch. */
	if (s->free_outside >= 0 && s->box_in_scratch >= 0)
		json_int("free_after_seal_bytes",
			 s->free_outside - s->box_in_scratch);
	else
		json_null("free_after_seal_bytes");
	json_end_object();
	if (s->ctl_err || s->list_err) {
		json_null("boxes");
	} else {
		json_begin_object("boxes");
		json_u64("total", s->total);
		json_u64("open", s->open);
		json_u64("sealed", s->sealed);
		json_u64("incoming", s->incoming);
		json_end_object();
	}
	json_end_object();
	json_end();
}

static void print_mib(const char *label, long long bytes, const char *what)
{
	if (bytes < 0)
		printf("%-13sunknown%s\n", label, what);
	else
		printf("%-13s%.1f MiB%s\n", label, bytes / 1048576.0, what);
}

/*
 * Preserved memory can not lie in the KHO scratch areas, which the next
 * kernel boots from: SEAL moves what lies there into free memory outside
 * scratch, and kexec -s -l needs room there too for the next kernel and its
 * initramfs.
 */
static void status_memory(const struct status *s)
{
	long long left;

	print_mib("KHO scratch:", s->scratch, s->scratch < 0 ?
		  " (needs debugfs: " KHO_DEBUGFS "/out/scratch_len)" :
		  " (the next kernel boots from it; set with kho_scratch=)");
	print_mib("Free:", s->free_outside, " outside scratch (MemFree - CmaFree)");
	if (s->ctl_err || s->list_err)
		return;
	print_mib("Box memory:", s->box_mem, " in open and sealed boxes");
	print_mib("In scratch:", s->box_in_scratch,
		  " of it, to move out at SEAL");
	if (s->free_outside < 0 || s->box_in_scratch < 0)
		return;
	left = s->free_outside - s->box_in_scratch;
	printf("%-13s%.1f MiB free outside scratch after SEAL, for kexec -s -l (the next kernel and initramfs)%s\n",
	       "Kexec room:", left / 1048576.0,
	       left < 0 ? ": SEAL would fail with ENOMEM, free memory first" : "");
}

static void status_text(const struct status *s)
{
	const char *hint = errno_hint(OP_CONTROL, s->ctl_err);

	if (!s->ctl_err)
		printf("FDBox:       available (%s)\n", fdbox_ctl_path());
	else
		printf("FDBox:       %s: %s: %s%s%s%s\n",
		       s->ctl_err == EACCES ? "available" : "not available",
		       fdbox_ctl_path(), strerror(s->ctl_err),
		       hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	if (s->kho < 0)
		printf("KHO:         unknown (no %s, no kho= on the command line)\n",
		       KHO_DEBUGFS);
	else
		printf("KHO:         %s (%s)\n", s->kho ? "enabled" : "disabled",
		       !strcmp(s->kho_source, "debugfs") ? KHO_DEBUGFS :
							   "kernel command line");
	if (s->kho_boot >= 0)
		printf("KHO boot:    %s\n", s->kho_boot ?
		       "yes, this kernel was started by a kexec with handover data" :
		       "no");
	printf("Liveupdate:  %s\n", s->liveupdate ? LIVEUPDATE_DEV : "no");
	if (s->ctl_err)
		return;
	if (s->list_err)
		printf("Boxes:       unknown: %s\n", strerror(s->list_err));
	else
		printf("Boxes:       %u: %u open, %u sealed (travel on the next kexec), %u incoming (from the previous kernel)\n",
		       s->total, s->open, s->sealed, s->incoming);
	status_memory(s);
}

int cmd_status(int argc, char **argv)
{
	struct status s = { .box_mem = -1, .box_in_scratch = -1 };
	int ctl;

	(void)argc;
	(void)argv;
	s.ctl_err = fdbox_open_ctl(O_RDONLY, &ctl);
	if (!s.ctl_err) {
		box_counts(&s, ctl);
		close(ctl);
	}
	kho_status(&s);
	s.liveupdate = !access(LIVEUPDATE_DEV, F_OK);
	s.scratch = kho_scratch_bytes();
	s.free_outside = meminfo_bytes("MemFree");
	if (s.free_outside >= 0 && meminfo_bytes("CmaFree") >= 0)
		s.free_outside -= meminfo_bytes("CmaFree");

	if (opts.json)
		status_json(&s);
	else if (!opts.quiet)
		status_text(&s);
	if (s.ctl_err == ENOENT || s.ctl_err == ENOTDIR)
		return EXIT_NODEV;
	/* Without access to the control node, FDBox is there all the same. */
	if (s.ctl_err == EACCES)
		return EXIT_OK;
	return s.ctl_err || s.list_err ? EXIT_FAIL : EXIT_OK;
}
