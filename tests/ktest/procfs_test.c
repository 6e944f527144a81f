/*
 * KTAP suite "procfs": the files of /proc (fs/proc/), read through the kernel's file calls as a
 * program reads them. Each file's format is Linux's, and its counters move when what they count
 * happens:
 *
 *  - /proc/mounts lists every mount in mount order, "SOURCE DIR TYPE rw|ro 0 0", with a space
 *    in a name written \040; a second proc mount on /proc works and goes away again;
 *  - /proc/vmstat's pgfault and /proc/self/stat's minflt (field 10 of 52) rise with the faults
 *    this thread takes;
 *  - /proc/interrupts has a column per online CPU; a TLB shootdown raises the TLB line on the
 *    CPU that received it and not on the one that sent it;
 *  - a decimal written to /proc/sys/fs/aio-max-nr is the limit io_setup hits; a bad one is
 *    EINVAL and changes nothing;
 *  - readdir of /proc and /proc/sys/fs lists their files; a pid with no process is ENOENT.
 */
#include "kernel/ktest.h"
#include "kernel/preempt.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "fs/aio.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/syscalls.h"
#include "mm/mmap.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/tlb.h"
#include "mm/vma.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "tests/ktest/aio_fixture.h"
#include "tests/ktest/vm_fixture.h"

#define TEXT_MAX 8192
#define MNT_DIR	 "/tmp/proc test"

/* The whole file at path, NUL-terminated, in a new buffer (kfree); NULL on any error. */
static char *read_text(const char *path)
{
	char *buf = kmalloc(TEXT_MAX);
	ssize_t n, len = 0;
	int fd = sys_open(path, O_RDONLY, 0);

	if (fd < 0 || !buf) {
		kfree(buf);
		if (fd >= 0)
			sys_close(fd);
		return NULL;
	}
	/* Small reads: the offsets must join up into the whole text. */
	while ((n = sys_read(fd, buf + len, 100 < TEXT_MAX - 1 - len ? 100 : TEXT_MAX - 1 - len)) >
	       0)
		len += n;
	sys_close(fd);
	buf[len] = '\0';
	return buf;
}

/* Writes str to path; what write returned. */
static ssize_t write_text(const char *path, const char *str)
{
	int fd = sys_open(path, O_WRONLY | O_TRUNC, 0);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = sys_write(fd, str, strlen(str));
	sys_close(fd);
	return n;
}

static uint64_t parse_u64_at(const char *p)
{
	uint64_t v = 0;

	while (*p == ' ')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	return v;
}

/* The value on the line "NAME value" of /proc/vmstat; ~0 when the line is missing. */
static uint64_t vmstat(const char *name)
{
	char *text = read_text("/proc/vmstat");
	size_t len = strlen(name);
	uint64_t v = ~0ULL;

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "")
		if (!strncmp(p, name, len) && p[len] == ' ')
			v = parse_u64_at(p + len);
	kfree(text);
	return v;
}

/* Field n (from 1) of /proc/self/stat as a number; ~0 when there is no such field. */
static uint64_t self_stat_field(unsigned int n)
{
	char *text = read_text("/proc/self/stat");
	const char *p = text;
	uint64_t v = ~0ULL;

	for (unsigned int i = 1; p && *p && i < n; i++)
		p = strchr(p, ' ') ? strchr(p, ' ') + 1 : "";
	if (p && *p >= '0' && *p <= '9')
		v = parse_u64_at(p);
	kfree(text);
	return v;
}

/* The counts of line NAME: of /proc/interrupts, one per online CPU, into counts[]; how many. */
static unsigned int irq_line(const char *name, uint64_t *counts, unsigned int max)
{
	char *text = read_text("/proc/interrupts");
	char key[8];
	const char *p;
	unsigned int n = 0;

	snprintf(key, sizeof(key), "%s:", name);
	p = text ? strstr(text, key) : NULL;
	if (p)
		for (p += strlen(key); n < max && *p == ' ';) {
			while (*p == ' ')
				p++;
			if (*p < '0' || *p > '9')
				break;
			counts[n++] = parse_u64_at(p);
			while (*p >= '0' && *p <= '9')
				p++;
		}
	kfree(text);
	return n;
}

static void test_mounts_in_order_with_escapes(struct ktest *t)
{
	char *text;
	const char *tail;

	ASSERT_EQ(t, sys_mkdir(MNT_DIR, 0755), 0);
	ASSERT_EQ(t, sys_mount("tmpfs", MNT_DIR, "tmpfs", MS_RDONLY, NULL), 0);
	text = read_text("/proc/mounts");
	if (EXPECT_NOT_NULL(t, text)) {
		EXPECT_EQ(t, strncmp(text, "rootfs / tmpfs rw 0 0\n", 22), 0);
		EXPECT_NOT_NULL(t, strstr(text, "\nproc /proc proc rw 0 0\n"));
		/* The newest mount is the last line. */
		tail = "\ntmpfs /tmp/proc\\040test tmpfs ro 0 0\n";
		EXPECT_TRUE(t, strlen(text) > strlen(tail) &&
				       !strcmp(text + strlen(text) - strlen(tail), tail));
	}
	kfree(text);
	text = read_text("/proc/self/mounts");
	EXPECT_TRUE(t, text && strstr(text, "/tmp/proc\\040test tmpfs ro"));
	kfree(text);
	EXPECT_EQ(t, sys_umount(MNT_DIR), 0);
	EXPECT_EQ(t, sys_rmdir(MNT_DIR), 0);
}

static void test_second_proc_mount_is_harmless(struct ktest *t)
{
	char *text;

	ASSERT_EQ(t, sys_mount("proc", "/proc", "proc", 0, NULL), 0);
	text = read_text("/proc/mounts");
	EXPECT_TRUE(t, text && strstr(text, "proc /proc proc rw 0 0\nproc /proc proc rw 0 0\n"));
	kfree(text);
	EXPECT_NE(t, vmstat("pgfault"), ~0ULL); /* the new one answers too */
	EXPECT_EQ(t, sys_umount("/proc"), 0);
	text = read_text("/proc/mounts");
	EXPECT_TRUE(t, text && !strstr(text, "proc /proc proc rw 0 0\nproc"));
	kfree(text);
}

static void test_faults_raise_pgfault_and_minflt(struct ktest *t)
{
	uint64_t pgfault = vmstat("pgfault"), minflt = self_stat_field(10);
	struct mm *mm = enter_new_mm("ktest-procfs");
	int64_t a;

	ASSERT_NOT_NULL(t, mm);
	ASSERT_NE(t, pgfault, ~0ULL);
	ASSERT_NE(t, minflt, ~0ULL);
	a = vm_mmap(mm, 0, 8 * PAGE_SIZE, RW, ANON, NULL, 0);
	if (EXPECT_GT(t, a, 0))
		EXPECT_EQ(t, fill_pages((uint64_t)a, 8), 0); /* a fault on each page */
	leave_mm(mm);
	EXPECT_GE(t, vmstat("pgfault"), pgfault + 8);
	EXPECT_GE(t, self_stat_field(10), minflt + 8);
	EXPECT_EQ(t, self_stat_field(12), 0u); /* majflt: never a major fault */
}

static void test_stat_and_status_fields(struct ktest *t)
{
	char *text = read_text("/proc/self/stat"), want[40];
	unsigned int fields = 0;

	ASSERT_NOT_NULL(t, text);
	for (const char *p = text; *p; p++)
		fields += *p != ' ' && *p != '\n' && (p == text || p[-1] == ' ');
	EXPECT_EQ(t, fields, 52u);
	snprintf(want, sizeof(want), " (%.15s) R ", current->name);
	EXPECT_NOT_NULL(t, strstr(text, want));
	kfree(text);
	EXPECT_EQ(t, self_stat_field(20), 1u); /* num_threads */
	text = read_text("/proc/self/status");
	EXPECT_TRUE(t, text && strstr(text, "\nThreads:\t1\n") && !strncmp(text, "Name:\t", 6));
	kfree(text);
	EXPECT_EQ(t, sys_open("/proc/99999/stat", O_RDONLY, 0), -ENOENT);
	EXPECT_EQ(t, sys_open("/proc/self/nosuch", O_RDONLY, 0), -ENOENT);
}

static void test_tlb_line_counts_received_shootdowns(struct ktest *t)
{
	uint64_t before[NR_CPUS], after[NR_CPUS], cal[NR_CPUS], cal_after[NR_CPUS];
	unsigned int n = num_online_cpus(), me;
	struct mm *mm;

	if (n < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	ASSERT_NOT_NULL(t, mm = enter_new_mm("ktest-procfs-tlb"));
	ASSERT_EQ(t, irq_line("TLB", before, NR_CPUS), n);
	ASSERT_EQ(t, irq_line("CAL", cal, NR_CPUS), n);
	preempt_disable();
	me = smp_processor_id();
	flush_tlb_range_broadcast(mm, 0x400000, 0x400000 + PAGE_SIZE); /* an IPI to every CPU */
	preempt_enable();
	leave_mm(mm);
	ASSERT_EQ(t, irq_line("TLB", after, NR_CPUS), n);
	ASSERT_EQ(t, irq_line("CAL", cal_after, NR_CPUS), n);
	for (unsigned int cpu = 0; cpu < n; cpu++) {
		if (cpu == me) {
			EXPECT_EQ(t, after[cpu], before[cpu]); /* its own share is no shootdown */
		} else {
			EXPECT_GE(t, after[cpu], before[cpu] + 1);
			EXPECT_GE(t, cal_after[cpu], cal[cpu] + 1); /* it came as a function call */
		}
	}
}

static void test_interrupts_layout(struct ktest *t)
{
	char *text = read_text("/proc/interrupts"), head[128];
	uint64_t loc[NR_CPUS], later[NR_CPUS];
	unsigned int n = num_online_cpus(), len = 11;

	ASSERT_NOT_NULL(t, text);
	memset(head, ' ', len);
	for (unsigned int cpu = 0; cpu < n && len + 12 < sizeof(head); cpu++)
		len += (unsigned int)snprintf(head + len, sizeof(head) - len, "CPU%-8u", cpu);
	head[len++] = '\n';
	head[len] = '\0';
	EXPECT_EQ(t, strncmp(text, head, len), 0);
	EXPECT_NOT_NULL(t, strstr(text, "   Local timer interrupts\n"));
	EXPECT_NOT_NULL(t, strstr(text, "   TLB shootdowns\n"));
	kfree(text);
	EXPECT_EQ(t, irq_line("RES", loc, NR_CPUS), n);
	ASSERT_EQ(t, irq_line("LOC", loc, NR_CPUS), n);
	msleep(50);
	ASSERT_EQ(t, irq_line("LOC", later, NR_CPUS), n);
	for (unsigned int cpu = 0; cpu < n; cpu++)
		EXPECT_GT(t, later[cpu], loc[cpu]); /* the tick runs on every CPU */
}

static void test_aio_max_nr_write_sets_the_limit(struct ktest *t)
{
	const char *path = "/proc/sys/fs/aio-max-nr";
	struct aio_stats start;
	aio_context_t a = 0, b = 0;
	char num[32], *text;
	struct mm *mm;

	ASSERT_EQ(t, aio_mm_init(t), 0);
	mm = t->priv;
	start = aio_get_stats();
	if (!EXPECT_TRUE(t, aio_wait_for_frees(2000)))
		goto out;
	start = aio_get_stats();
	snprintf(num, sizeof(num), "%llu\n", (unsigned long long)start.aio_nr + 16);
	EXPECT_EQ(t, write_text(path, num), (ssize_t)strlen(num));
	text = read_text(path);
	EXPECT_TRUE(t, text && !strcmp(text, num));
	kfree(text);
	EXPECT_EQ(t, io_setup(mm, 10, &a), 0);
	EXPECT_EQ(t, io_setup(mm, 10, &b), -EAGAIN); /* 20 would pass the limit written */
	/* Bad input: EINVAL, and the limit stays. */
	EXPECT_EQ(t, write_text(path, "12x"), -EINVAL);
	EXPECT_EQ(t, write_text(path, "-5"), -EINVAL);
	EXPECT_EQ(t, write_text(path, "abc"), -EINVAL);
	EXPECT_EQ(t, write_text(path, "99999999999999999999999"), -EINVAL);
	EXPECT_EQ(t, aio_get_stats().aio_max_nr, start.aio_nr + 16);
	EXPECT_EQ(t, write_text("/proc/sys/fs/aio-nr", "5"), -EACCES);
	text = read_text("/proc/sys/fs/aio-nr");
	snprintf(num, sizeof(num), "%llu\n", (unsigned long long)start.aio_nr + 10);
	EXPECT_TRUE(t, text && !strcmp(text, num));
	kfree(text);
	snprintf(num, sizeof(num), "  %llu 7", (unsigned long long)start.aio_max_nr);
	EXPECT_EQ(t, write_text(path, num), (ssize_t)strlen(num) - 1); /* as Linux: "7" left */
	EXPECT_EQ(t, aio_get_stats().aio_max_nr, start.aio_max_nr);
out:
	aio_set_max_nr(start.aio_max_nr);
	aio_mm_exit(t);
}

struct names {
	struct dir_context ctx;
	char all[512];
};

static bool names_collect(struct dir_context *ctx, const char *name, unsigned int len, uint64_t ino,
			  umode_t mode)
{
	struct names *l = (struct names *)ctx;
	size_t used = strlen(l->all);

	(void)ino;
	(void)mode;
	if (used + len + 2 < sizeof(l->all)) {
		memcpy(l->all + used, name, len);
		l->all[used + len] = ' ';
		l->all[used + len + 1] = '\0';
	}
	return true;
}

static void list_dir(struct ktest *t, const char *path, struct names *l)
{
	int fd = sys_open(path, O_RDONLY | O_DIRECTORY, 0);

	memset(l, 0, sizeof(*l));
	l->ctx.actor = names_collect;
	if (EXPECT_GE(t, fd, 0)) {
		EXPECT_EQ(t, sys_readdir(fd, &l->ctx), 0);
		sys_close(fd);
	}
}

#define ROOT_NAMES ". .. cmdline interrupts meminfo mounts self sys vmstat "

static void test_readdir(struct ktest *t)
{
	struct names *l = kzalloc(sizeof(*l));

	ASSERT_NOT_NULL(t, l);
	list_dir(t, "/proc", l);
	/* Then a directory per process, if any is alive. */
	EXPECT_EQ(t, strncmp(l->all, ROOT_NAMES, strlen(ROOT_NAMES)), 0);
	list_dir(t, "/proc/sys/fs", l);
	EXPECT_STREQ(t, l->all, ". .. aio-max-nr aio-nr ");
	list_dir(t, "/proc/self", l);
	EXPECT_STREQ(t, l->all, ". .. mounts stat status ");
	kfree(l);
}

KTEST_SUITE(procfs, KTEST_CASE(test_mounts_in_order_with_escapes),
	    KTEST_CASE(test_second_proc_mount_is_harmless),
	    KTEST_CASE(test_faults_raise_pgfault_and_minflt),
	    KTEST_CASE(test_stat_and_status_fields),
	    KTEST_CASE(test_tlb_line_counts_received_shootdowns),
	    KTEST_CASE(test_interrupts_layout), KTEST_CASE(test_aio_max_nr_write_sets_the_limit),
	    KTEST_CASE(test_readdir));
