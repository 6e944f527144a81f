/*
 * Mechanism 3 from user space: a shared file mapping's dirty pages are tracked by write-protect
 * faults. A clean page is mapped read-only, so the first store to it faults once and the fault
 * marks the page dirty and the entry writable; later stores cost nothing. Writeback (here
 * msync(MS_SYNC)) cleans the page and write-protects every entry mapping it through the reverse
 * map, so the next store faults once again, and the data it wrote still reaches the disk.
 *
 * The faults are counted with getrusage(RUSAGE_SELF).ru_minflt around single stores (teachos
 * counts every resolved fault there, as Linux does). It needs an ext2 disk:
 *
 *	dirty_test [DEVICE]	DEVICE defaults to /dev/vda, the virtio disk on both kernels
 *
 * With no such device every check is skipped. make test runs it on teachos and on Linux with
 * the same ext2 image as /dev/vda (docs/linux.md). On another Linux machine, run it as root in
 * its own mount namespace on a loop device holding a small ext2 image:
 *
 *	mke2fs -q -t ext2 img 4M && unshare -m ./dirty_test $(losetup -f --show img)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "user/tap.h"

#define MNT   "/tmp/dirty_test"
#define FILE_ MNT "/dirty"
#define PAGE  4096
#define PAGES 4

static const char *const checks[] = {
	"mount the ext2 disk at " MNT,
	"create a file of 4 pages on it, write it, fsync",
	"mmap it MAP_SHARED read-write",
	"the first store to a clean page: exactly one fault",
	"a second store to the same page: no fault",
	"msync(MS_SYNC) of the mapping returns 0",
	"after msync the next store to that page: exactly one fault (write-protected again)",
	"a read of a clean page, then a store to it: the store costs exactly one fault",
	"after munmap, read(2) sees every store",
	"umount and mount the disk again",
	"the file read from the disk again holds every store",
	"umount the disk",
};
#define NCHECKS (int)(sizeof(checks) / sizeof(checks[0]))

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* The faults one store of v at p costs. */
static long store_faults(volatile char *p, char v)
{
	long before = minflt();

	*p = v;
	return minflt() - before;
}

/* The page contents written first: byte i of page n is 'a' + (n + i) % 26. */
static void fill_expected(char *buf)
{
	for (int i = 0; i < PAGES * PAGE; i++)
		buf[i] = (char)('a' + (i / PAGE + i % PAGE) % 26);
}

/* Reads the whole file into buf; true when it read PAGES pages. */
static int read_file(char *buf)
{
	int fd = open(FILE_, O_RDONLY);
	ssize_t n = fd >= 0 ? pread(fd, buf, PAGES * PAGE, 0) : -1;

	if (fd >= 0)
		close(fd);
	return n == PAGES * PAGE;
}

static int mount_disk(const char *dev)
{
	return mount(dev, MNT, "ext2", 0, NULL);
}

int main(int argc, char **argv)
{
	static char want[PAGES * PAGE], got[PAGES * PAGE];
	const char *dev = argc > 1 ? argv[1] : "/dev/vda";
	volatile char *map;
	long f1, f2, f3, f4;
	int fd, r, ok;

	tap_plan(NCHECKS);
	mkdir(MNT, 0755);
	r = mount_disk(dev);
	if (r < 0 && (errno == ENXIO || errno == ENOENT || errno == ENODEV || errno == ENOTBLK)) {
		tap_diag("no disk '%s' (%s)", dev, strerror(errno));
		for (int i = 0; i < NCHECKS; i++)
			tap_skip("no disk", checks[i]);
		rmdir(MNT);
		return tap_done();
	}
	if (!tap_ok(r == 0, "%s (%s)", checks[0], r ? strerror(errno) : dev))
		return tap_done();
	fill_expected(want);
	fd = open(FILE_, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ok = fd >= 0 && write(fd, want, sizeof(want)) == (ssize_t)sizeof(want) && fsync(fd) == 0;
	tap_ok(ok, "%s", checks[1]);
	map = fd >= 0 ? mmap(NULL, sizeof(want), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
		      : MAP_FAILED;
	if (!tap_ok(map != MAP_FAILED, "%s", checks[2]))
		map = (volatile char *)want; /* the checks below then fail, and nothing crashes */
	minflt();			     /* getrusage's own first faults, if any, come now */

	f1 = store_faults(map + 100, 'X');
	tap_ok(f1 == 1, "%s (%ld)", checks[3], f1);
	f2 = store_faults(map + 200, 'Y');
	tap_ok(f2 == 0, "%s (%ld)", checks[4], f2);
	want[100] = 'X';
	want[200] = 'Y';
	r = msync((void *)map, sizeof(want), MS_SYNC);
	tap_ok(r == 0, "%s", checks[5]);
	f3 = store_faults(map + 300, 'Z');
	tap_ok(f3 == 1, "%s (%ld)", checks[6], f3);
	want[300] = 'Z';

	ok = map[2 * PAGE + 5] == want[2 * PAGE + 5];
	f4 = store_faults(map + 2 * PAGE + 5, 'W');
	tap_ok(ok && f4 == 1, "%s (%ld)", checks[7], f4);
	want[2 * PAGE + 5] = 'W';

	munmap((void *)map, sizeof(want));
	if (fd >= 0)
		close(fd);
	tap_ok(read_file(got) && !memcmp(got, want, sizeof(want)), "%s", checks[8]);
	r = umount2(MNT, 0);
	if (r == 0)
		r = mount_disk(dev);
	tap_ok(r == 0, "%s (%s)", checks[9], r ? strerror(errno) : "ok");
	memset(got, 0, sizeof(got));
	tap_ok(read_file(got) && !memcmp(got, want, sizeof(want)), "%s", checks[10]);
	unlink(FILE_);
	tap_ok(umount2(MNT, 0) == 0, "%s", checks[11]);
	rmdir(MNT);
	return tap_done();
}
