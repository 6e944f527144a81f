/*
 * What the vfs suites share (tests/ktest/vfs_test.c, vfs_io_test.c, vfs_stress_test.c): the
 * hooks that run each case in a fresh /tmp/vfs_test and checks afterwards that everything
 * the VFS counts came back, and small helpers for files, patterns and directory listings.
 */
#ifndef TESTS_KTEST_VFS_FIXTURE_H
#define TESTS_KTEST_VFS_FIXTURE_H

#include <stdint.h>
#include <stdbool.h>
#include "kernel/ktest.h"
#include "fs/fs.h"

#define TEST_DIR "/tmp/vfs_test" /* each case runs in a new, empty one */

struct counts {
	uint64_t files, inodes, dentries, pagecache, mounts;
};

#define MAX_NAMES 48

struct names {
	struct dir_context ctx;
	unsigned int n;		 /* entries seen */
	unsigned int stop_after; /* the actor says stop after this many per call; 0: never */
	unsigned int in_call;
	char name[MAX_NAMES][NAME_MAX + 1];
	umode_t mode[MAX_NAMES];
	uint64_t ino[MAX_NAMES];
};

struct counts counts_now(void);
void expect_counts(struct ktest *t, const struct counts *before);
uint64_t pages_not_leaked(void);
uint64_t tmpfs_used(const char *path);
uint64_t tmpfs_inodes(const char *path);
/* The readdir actor of list_dir: adds each name to the struct names around ctx. */
bool names_collect(struct dir_context *ctx, const char *name, unsigned int len, uint64_t ino,
		   umode_t mode);
int list_dir(const char *path, struct names *l, unsigned int stop_after);
int find_name(const struct names *l, const char *name);
int rm_rf(const char *path);
/* The vfs suites' hooks: each case runs in a new, empty TEST_DIR; afterwards TEST_DIR goes
   and every count the VFS keeps must be back. */
int vfs_case_init(struct ktest *t);
void vfs_case_exit(struct ktest *t);
int make_file(const char *path, const void *data, size_t n);
ssize_t read_file(const char *path, void *buf, size_t n);
bool file_is(const char *path, const void *want, size_t n);
uint8_t pattern(uint64_t off, unsigned int seed);
void fill(uint8_t *buf, uint64_t off, size_t n, unsigned int seed);
long check_pattern(const uint8_t *buf, uint64_t off, size_t n, unsigned int seed);
bool all_zero(const uint8_t *buf, size_t n);
uint64_t ino_of(const char *path);

#endif
