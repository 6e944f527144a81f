/*
 * Mechanism 1 from user space: a file open for writing holds a write reference on its mount,
 * so remounting read-only fails with EBUSY until it is closed; then writes fail with EROFS. A
 * read-only bind mount refuses writes while its source stays writable. Needs root (as on
 * Linux); run on Linux it works in a throw-away VM or container with a tmpfs it may mount.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "user/tap.h"

#define TOP  "/tmp/mount_test"
#define MNT  TOP "/m"
#define BIND TOP "/ro"

int main(void)
{
	int fd, r;

	tap_plan(12);
	mkdir(TOP, 0755);
	mkdir(MNT, 0755);
	mkdir(BIND, 0755);
	r = mount("none", MNT, "tmpfs", 0, NULL);
	if (!tap_ok(r == 0, "mount a tmpfs at %s (%s)", MNT, r ? strerror(errno) : "ok"))
		return tap_done();
	fd = open(MNT "/f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	tap_ok(fd >= 0 && write(fd, "x", 1) == 1, "open a file for writing, write a byte");
	r = mount(NULL, MNT, NULL, MS_REMOUNT | MS_RDONLY, NULL);
	tap_ok(r < 0 && errno == EBUSY, "remount read-only while it is open for writing: EBUSY");
	tap_ok(close(fd) == 0, "close it");
	r = mount(NULL, MNT, NULL, MS_REMOUNT | MS_RDONLY, NULL);
	tap_ok(r == 0, "now the remount read-only succeeds (%s)", r ? strerror(errno) : "ok");
	fd = open(MNT "/f", O_WRONLY);
	tap_ok(fd < 0 && errno == EROFS, "an open for writing on it: EROFS");
	fd = open(MNT "/f", O_RDONLY);
	tap_ok(fd >= 0, "an open for reading still works");
	close(fd);
	r = mount(NULL, MNT, NULL, MS_REMOUNT, NULL);
	tap_ok(r == 0, "remount read-write");
	r = mount(MNT, BIND, NULL, MS_BIND, NULL);
	if (r == 0)
		r = mount(NULL, BIND, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
	tap_ok(r == 0, "a read-only bind mount of it at %s", BIND);
	fd = open(BIND "/g", O_WRONLY | O_CREAT, 0644);
	tap_ok(fd < 0 && errno == EROFS, "creating through the read-only bind: EROFS");
	fd = open(MNT "/g", O_WRONLY | O_CREAT, 0644);
	tap_ok(fd >= 0, "creating through the original mount works");
	close(fd);
	r = umount2(BIND, 0) | umount2(MNT, 0);
	tap_ok(r == 0, "unmount both");
	rmdir(BIND);
	rmdir(MNT);
	rmdir(TOP);
	return tap_done();
}
