// SPDX-License-Identifier: GPL-2.0
/*
 * Thin wrappers of the FDBox uAPI (linux/fdbox.h). Every function returns 0
 * or the positive errno of the failure and prints nothing.
 *
 * Copyright (C) 2026 The FDBox developers
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fdbox.h"

/* The control node: $FDBOX_DEV, or /dev/fdbox/fdbox. */
const char *fdbox_ctl_path(void)
{
	const char *path = getenv("FDBOX_DEV");

	return path && *path ? path : FDBOX_CTL_DEFAULT;
}

/* A box node lives in the control node's directory. */
int fdbox_box_path(char *buf, size_t len, const char *box)
{
	const char *ctl = fdbox_ctl_path();
	const char *slash = strrchr(ctl, '/');
	int dirlen = slash ? (int)(slash - ctl) : 1;
	const char *dir = slash ? ctl : ".";
	int n;

	if (slash == ctl)	/* the control node is in "/" */
		dirlen = 0;
	n = snprintf(buf, len, "%.*s/%s", dirlen, dir, box);
	return n < 0 || (size_t)n >= len ? ENAMETOOLONG : 0;
}

int fdbox_open_ctl(int flags, int *fd)
{
	*fd = open(fdbox_ctl_path(), flags | O_CLOEXEC);
	return *fd < 0 ? errno : 0;
}

int fdbox_open_box(const char *box, int flags, int *fd)
{
	char path[4096];
	int err;

	err = fdbox_box_path(path, sizeof(path), box);
	if (err)
		return err;
	*fd = open(path, flags | O_CLOEXEC);
	return *fd < 0 ? errno : 0;
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

/* Copy a name into a uAPI name field; the caller checked its length. */
static void set_name(char dst[FDBOX_NAME_MAX], const char *src)
{
	memset(dst, 0, FDBOX_NAME_MAX);
	strncpy(dst, src, FDBOX_NAME_MAX - 1);
}

int fdbox_create(int ctl, const char *box)
{
	struct fdbox_create_box arg = { .size = sizeof(arg) };

	set_name(arg.name, box);
	return xioctl(ctl, FDBOX_CREATE_BOX, &arg);
}

int fdbox_delete(int ctl, const char *box)
{
	struct fdbox_delete_box arg = { .size = sizeof(arg) };

	set_name(arg.name, box);
	return xioctl(ctl, FDBOX_DELETE_BOX, &arg);
}

/*
 * LIST_BOXES and LIST_FDS: ask for the number of entries, then fetch them,
 * growing the array while the list grows under us (ENOSPC).
 */
static int list_entries(int fd, unsigned long cmd, size_t esize, void **out,
			unsigned int *nr)
{
	uint32_t room = 0;
	void *buf = NULL;

	for (;;) {
		struct fdbox_list arg = {
			.size = sizeof(arg),
			.count = room,
			.entry_size = esize,
			.entries = (uintptr_t)buf,
		};
		void *tmp;

		if (ioctl(fd, cmd, &arg) && errno != ENOSPC) {
			int err = errno;

			free(buf);
			return err;
		}
		if (arg.count <= room) {
			*out = buf;
			*nr = arg.count;
			return 0;
		}
		/* The count query, or the list grew (ENOSPC): make room. */
		room = arg.count + 8;
		tmp = realloc(buf, (size_t)room * esize);
		if (!tmp) {
			free(buf);
			return ENOMEM;
		}
		buf = tmp;
		memset(buf, 0, (size_t)room * esize);
	}
}

int fdbox_list_boxes(int ctl, struct fdbox_box_info **boxes, unsigned int *nr)
{
	return list_entries(ctl, FDBOX_LIST_BOXES, sizeof(**boxes),
			    (void **)boxes, nr);
}

/* 0 and *@info if @box is listed, ENOENT if not, or the errno of the list. */
int fdbox_find_box(int ctl, const char *box, struct fdbox_box_info *info)
{
	struct fdbox_box_info *boxes;
	unsigned int i, nr;
	int err;

	err = fdbox_list_boxes(ctl, &boxes, &nr);
	if (err)
		return err;
	err = ENOENT;
	for (i = 0; i < nr; i++) {
		if (!strncmp(boxes[i].name, box, FDBOX_NAME_MAX)) {
			*info = boxes[i];
			err = 0;
			break;
		}
	}
	free(boxes);
	return err;
}

/*
 * The state of @box (&enum fdbox_box_state), read through the control node,
 * which only root can open: 0, or the errno of the open or the list.
 */
int fdbox_box_state(const char *box, uint32_t *state)
{
	struct fdbox_box_info info;
	int ctl, err;

	err = fdbox_open_ctl(O_RDONLY, &ctl);
	if (err)
		return err;
	err = fdbox_find_box(ctl, box, &info);
	close(ctl);
	if (!err)
		*state = info.state;
	return err;
}

int fdbox_list_files(int boxfd, struct fdbox_file_info **files,
		     unsigned int *nr)
{
	return list_entries(boxfd, FDBOX_LIST_FDS, sizeof(**files),
			    (void **)files, nr);
}

int fdbox_put(int boxfd, int fd, const char *name)
{
	struct fdbox_put_fd arg = { .size = sizeof(arg), .fd = fd };

	set_name(arg.name, name);
	return xioctl(boxfd, FDBOX_PUT_FD, &arg);
}

int fdbox_get(int boxfd, const char *name, int *fd)
{
	struct fdbox_get_fd arg = {
		.size = sizeof(arg),
		.flags = FDBOX_FD_CLOEXEC,
	};
	int err;

	set_name(arg.name, name);
	err = xioctl(boxfd, FDBOX_GET_FD, &arg);
	if (!err)
		*fd = arg.fd;
	return err;
}

int fdbox_discard(int boxfd, const char *name)
{
	struct fdbox_discard_fd arg = { .size = sizeof(arg) };

	set_name(arg.name, name);
	return xioctl(boxfd, FDBOX_DISCARD_FD, &arg);
}

int fdbox_seal(int boxfd)
{
	struct fdbox_seal arg = { .size = sizeof(arg) };

	return xioctl(boxfd, FDBOX_SEAL, &arg);
}

int fdbox_unseal(int boxfd, unsigned int *restored, unsigned int *failed)
{
	struct fdbox_unseal arg = { .size = sizeof(arg) };
	int err;

	err = xioctl(boxfd, FDBOX_UNSEAL, &arg);
	if (!err) {
		*restored = arg.nr_restored;
		*failed = arg.nr_failed;
	}
	return err;
}

const char *fdbox_box_state_name(uint32_t state)
{
	switch (state) {
	case FDBOX_BOX_OPEN:
		return "OPEN";
	case FDBOX_BOX_SEALED:
		return "SEALED";
	}
	return "UNKNOWN";
}

const char *fdbox_file_state_name(uint32_t state)
{
	switch (state) {
	case FDBOX_FILE_LIVE:
		return "LIVE";
	case FDBOX_FILE_FROZEN:
		return "FROZEN";
	case FDBOX_FILE_INCOMING:
		return "INCOMING";
	}
	return "UNKNOWN";
}
