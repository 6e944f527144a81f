/*
 * What the mount suites share (tests/ktest/mount_writers_test.c, mount_longterm_test.c,
 * mount_tree_test.c): each case works under BASE, made by the suite's init and taken apart by
 * its exit (mounts included) even when a check failed halfway; small helpers to mount,
 * remount, write and read; and a snapshot of what a failed call must not leave behind.
 */
#ifndef TESTS_KTEST_MOUNT_FIXTURE_H
#define TESTS_KTEST_MOUNT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/ktest.h"
#include "fs/mount.h"

#define BASE "/tmp/mount_test"

/* The writer-count modes that count (WRITERS_NONE does not). */
extern const enum mnt_writers_mode safe_modes[3];

/* What a failed call must not leave behind. */
struct snapshot {
	uint64_t mounts_alive, files, dentries, inodes, objects, free_pages;
};

#define EXPECT_SAME_SNAPSHOT(t, a, b)                                                              \
	do {                                                                                       \
		EXPECT_EQ(t, (b).mounts_alive, (a).mounts_alive);                                  \
		EXPECT_EQ(t, (b).files, (a).files);                                                \
		EXPECT_EQ(t, (b).dentries, (a).dentries);                                          \
		EXPECT_EQ(t, (b).inodes, (a).inodes);                                              \
		EXPECT_EQ(t, (b).objects, (a).objects);                                            \
		EXPECT_EQ(t, (b).free_pages, (a).free_pages);                                      \
	} while (0)

int mount_tmpfs(const char *dir, const char *options);

int remount_dir(const char *dir, unsigned long flags);

/* Opens name with flags, writes data, closes: 0 or the first error. */
int write_text(const char *name, unsigned int flags, const char *data);

/* Reads name into buf (NUL-terminated): the length or an error. */
int read_text(const char *name, char *buf, size_t size);

/* The mount at dir, without a reference: for a mount the tree keeps while the case runs. */
struct vfsmount *mnt_at(const char *dir);

bool is_mount_point(const char *dir);

bool mnt_readonly(const char *name);

/*
 * Takes dir apart whatever a failed case left there: what is mounted on it and below,
 * then the files and directories. Best effort: an open file elsewhere keeps a mount.
 */
void scrub_dir(const char *dir, int depth);

/* The suites' init and exit (KTEST_SUITE_HOOKS): BASE made, then put back as it was. */
int mount_fixture_init(struct ktest *t);
void mount_fixture_exit(struct ktest *t);

struct snapshot mount_snapshot(void);

/* Runs fn(arg) in a thread bound to each online CPU at once and waits for them all. */
int on_every_cpu(struct ktest *t, int (*fn)(void *), void *arg);

#endif
