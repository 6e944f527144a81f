/*
 * KTAP suite "aio": contexts are set up, found and destroyed; a destroyed context is never
 * found again; aio_nr comes back to where it started; at the aio_max_nr limit io_setup waits
 * for pending frees and succeeds, or fails with -EAGAIN when there are none; an injected
 * allocation failure gives -ENOMEM and changes no count; lookups on every CPU while one CPU
 * creates and destroys tens of thousands of contexts never see a freed context; requests
 * make the round trip through the workers and the ring, with timeouts; each bad argument
 * gets its own error. torture aio's checker catches its broken variant free-at-once (contexts
 * freed without their grace period) within a bounded time, and finds nothing in the real
 * mechanism under the same load and delay points.
 *
 * Each case runs with an owner of its own (with_owner), which exit_aio() tears down even when
 * the case returns early: an owner left on the owners list would dangle.
 */
#include "kernel/ktest.h"
#include "kernel/aio/aio.h"
#include "kernel/aio/memfile.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/syscalls.h"
#include "kernel/kthread.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "kernel/tick.h"
#include "fs/torture/aio_torture.h"
#include "mm/fault_inject.h"
#include "lib/errno.h"
#include "lib/string.h"

#define CHURN_CONTEXTS 20000 /* created and destroyed while the lookups run */
#define CHURN_SLOTS    16    /* contexts live at a time */
#define TORTURE_MS     500   /* the real torture case's run */
#define CATCH_MS       1000  /* the broken variant's first error comes by then */

static void with_owner(struct ktest *t, void (*body)(struct ktest *t, struct mm_aio *mm))
{
	struct mm_aio mm;

	mm_aio_init(&mm, "ktest");
	body(t, &mm);
	exit_aio(&mm);
}

static bool settle(void)
{
	return aio_wait_for_frees(2000);
}

static void setup_lookup_destroy(struct ktest *t, struct mm_aio *mm)
{
	aio_context_t id = 0;
	struct kioctx *ctx;

	ASSERT_EQ(t, io_setup(mm, 8, &id), 0);
	EXPECT_NE(t, id, 0u);
	ctx = lookup_ioctx(mm, id);
	ASSERT_NOT_NULL(t, ctx);
	EXPECT_EQ(t, ctx->user_id, id);
	EXPECT_EQ(t, ctx->max_reqs, 8u);
	EXPECT_EQ(t, atomic_read(&ctx->users), 2); /* the list's and ours */
	put_ioctx(ctx);
	EXPECT_EQ(t, atomic_read(&ctx->users), 1);
	EXPECT_EQ(t, io_destroy(mm, id), 0);
}

static void test_setup_lookup_destroy(struct ktest *t)
{
	with_owner(t, setup_lookup_destroy);
}

static void lookup_destroyed(struct ktest *t, struct mm_aio *mm)
{
	struct aio_stats before = aio_get_stats(), after;
	aio_context_t a = 0, b = 0;
	struct mm_aio other;
	struct kioctx *ctx;

	ASSERT_EQ(t, io_setup(mm, 4, &a), 0);
	ASSERT_EQ(t, io_setup(mm, 4, &b), 0);
	EXPECT_NE(t, a, b);
	EXPECT_EQ(t, io_destroy(mm, a), 0);
	EXPECT_NULL(t, lookup_ioctx(mm, a));
	EXPECT_NULL(t, lookup_ioctx_rwlock(mm, a));
	EXPECT_EQ(t, io_destroy(mm, a), -EINVAL); /* not twice */
	ctx = lookup_ioctx(mm, b);		  /* its neighbour is still there */
	EXPECT_NOT_NULL(t, ctx);
	if (ctx)
		put_ioctx(ctx);
	/* Another owner does not see this owner's contexts. */
	mm_aio_init(&other, "ktest-other");
	EXPECT_NULL(t, lookup_ioctx(&other, b));
	EXPECT_EQ(t, io_destroy(&other, b), -EINVAL);
	exit_aio(&other);
	after = aio_get_stats();
	EXPECT_EQ(t, after.lookups - before.lookups, 4u);
	EXPECT_EQ(t, after.lookup_misses - before.lookup_misses, 3u);
}

static void test_lookup_destroyed_fails(struct ktest *t)
{
	with_owner(t, lookup_destroyed);
}

static void bad_nr_events(struct ktest *t, struct mm_aio *mm)
{
	struct aio_stats before = aio_get_stats();
	aio_context_t id = 0;

	EXPECT_EQ(t, io_setup(mm, 0, &id), -ERANGE);
	EXPECT_EQ(t, io_setup(mm, AIO_MAX_EVENTS + 1, &id), -ERANGE);
	EXPECT_EQ(t, io_setup(mm, 0xffffffffu, &id), -ERANGE);
	EXPECT_EQ(t, id, 0u);
	EXPECT_EQ(t, aio_get_stats().created, before.created);
	EXPECT_EQ(t, io_setup(mm, AIO_MAX_EVENTS, &id), 0); /* the largest is fine */
}

static void test_setup_bad_nr_events(struct ktest *t)
{
	with_owner(t, bad_nr_events);
}

static void aio_nr_accounting(struct ktest *t, struct mm_aio *mm)
{
	static const unsigned int sizes[] = {1, 7, 64, 128, 1000};
	aio_context_t ids[ARRAY_SIZE(sizes)];
	struct aio_stats start, mid, end;
	uint64_t sum = 0;

	ASSERT_TRUE(t, settle());
	start = aio_get_stats();
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		ASSERT_EQ(t, io_setup(mm, sizes[i], &ids[i]), 0);
		sum += sizes[i];
	}
	mid = aio_get_stats();
	EXPECT_EQ(t, mid.aio_nr, start.aio_nr + sum);
	EXPECT_EQ(t, mid.contexts, start.contexts + ARRAY_SIZE(sizes));
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		EXPECT_EQ(t, io_destroy(mm, ids[i]), 0);
	/* Destroyed, but the share comes back only with the free, after a grace period. */
	ASSERT_TRUE(t, settle());
	end = aio_get_stats();
	EXPECT_EQ(t, end.aio_nr, start.aio_nr);
	EXPECT_EQ(t, end.contexts, start.contexts);
	EXPECT_EQ(t, end.created - start.created, ARRAY_SIZE(sizes));
	EXPECT_EQ(t, end.destroyed - start.destroyed, ARRAY_SIZE(sizes));
	EXPECT_EQ(t, end.freed - start.freed, ARRAY_SIZE(sizes));
	EXPECT_EQ(t, end.allocated, start.allocated);
}

static void test_aio_nr_returns_to_start(struct ktest *t)
{
	with_owner(t, aio_nr_accounting);
}

/*
 * At the limit with a destroyed context's free still pending, io_setup retries after a grace
 * period and succeeds. The free must still be pending when io_setup checks: destroy and setup
 * follow each other at once, and a grace period takes ticks, but a tick could slip in
 * between; then the retry counter did not move, and the case tries again.
 */
static void gp_retry_succeeds(struct ktest *t, struct mm_aio *mm)
{
	struct aio_stats start, s;
	aio_context_t a = 0, b = 0;
	bool retried = false;

	ASSERT_TRUE(t, settle());
	start = aio_get_stats();
	aio_set_max_nr(start.aio_nr + 16);
	for (int attempt = 0; attempt < 5 && !retried; attempt++) {
		uint64_t retries;

		if (io_setup(mm, 16, &a) != 0)
			break;
		retries = aio_get_stats().gp_retries;
		EXPECT_EQ(t, io_destroy(mm, a), 0);
		EXPECT_EQ(t, io_setup(mm, 16, &b), 0); /* 16 more would pass the limit */
		retried = aio_get_stats().gp_retries == retries + 1;
		EXPECT_EQ(t, io_destroy(mm, b), 0);
		settle();
	}
	aio_set_max_nr(start.aio_max_nr);
	EXPECT_TRUE(t, retried);
	s = aio_get_stats();
	EXPECT_EQ(t, s.gp_retry_failures, start.gp_retry_failures);
	EXPECT_EQ(t, s.aio_nr, start.aio_nr);
}

static void test_gp_retry_succeeds_when_frees_pending(struct ktest *t)
{
	with_owner(t, gp_retry_succeeds);
}

/* At the limit with nothing pending, the retry cannot help: -EAGAIN, and nothing changes. */
static void gp_retry_fails(struct ktest *t, struct mm_aio *mm)
{
	struct aio_stats start, s;
	aio_context_t a = 0, b = 0;

	ASSERT_TRUE(t, settle());
	start = aio_get_stats();
	aio_set_max_nr(start.aio_nr + 16);
	EXPECT_EQ(t, io_setup(mm, 10, &a), 0);
	EXPECT_EQ(t, io_setup(mm, 10, &b), -EAGAIN);
	EXPECT_EQ(t, io_setup(mm, 6, &b), 0); /* exactly at the limit is fine */
	aio_set_max_nr(start.aio_max_nr);
	s = aio_get_stats();
	EXPECT_EQ(t, s.gp_retries, start.gp_retries + 1);
	EXPECT_EQ(t, s.gp_retry_failures, start.gp_retry_failures + 1);
	EXPECT_EQ(t, s.aio_nr, start.aio_nr + 16);
	EXPECT_EQ(t, s.created, start.created + 2);
}

static void test_gp_retry_fails_with_eagain(struct ktest *t)
{
	with_owner(t, gp_retry_fails);
}

/* Allocation failure in io_setup (the context, then its ring): -ENOMEM, no count moves. */
static void setup_enomem(struct ktest *t, struct mm_aio *mm)
{
	aio_context_t id = 0;

	ASSERT_EQ(t, io_setup(mm, 4, &id), 0); /* the kioctx cache exists from here on */
	ASSERT_EQ(t, io_destroy(mm, id), 0);
	ASSERT_TRUE(t, settle());
	for (unsigned int nth = 1; nth <= 2; nth++) {
		struct aio_stats before = aio_get_stats(), after;
		unsigned long injected = alloc_fail_injected();

		id = 0;
		alloc_fail_inject(nth);
		EXPECT_EQ(t, io_setup(mm, 4, &id), -ENOMEM);
		alloc_fail_cancel();
		after = aio_get_stats();
		EXPECT_EQ(t, alloc_fail_injected(), injected + 1);
		EXPECT_EQ(t, id, 0u);
		EXPECT_EQ(t, after.aio_nr, before.aio_nr);
		EXPECT_EQ(t, after.contexts, before.contexts);
		EXPECT_EQ(t, after.created, before.created);
		EXPECT_EQ(t, after.gp_retries, before.gp_retries);
		EXPECT_EQ(t, after.allocated, before.allocated);
		EXPECT_TRUE(t, hlist_empty(&mm->ioctx_list));
	}
	EXPECT_EQ(t, io_setup(mm, 4, &id), 0); /* and it works again */
}

static void test_setup_enomem_changes_no_counts(struct ktest *t)
{
	with_owner(t, setup_enomem);
}

/*
 * The churn: one thread on CPU 0 destroys and creates contexts in CHURN_SLOTS slots while a
 * reader on every other CPU looks up ids from the slots (and the creator too, between its
 * updates; with one CPU, a reader shares CPU 0 with it). A slot holds id << 1, with bit 0 set
 * once io_destroy of that id has returned: a lookup that starts after that must fail.
 */
struct churn {
	struct mm_aio *mm;
	volatile uint64_t slots[CHURN_SLOTS];
	volatile bool stop;
	atomic64_t lookups, hits, errors, creator_errors;
};

/* Looks up the id in a random slot and checks what it finds; counts in n[0] lookups, in
   n[1] what they found (per thread: shared counters would slow the lookups down). */
static void churn_lookup(struct churn *c, uint32_t *rnd, uint64_t *n)
{
	uint64_t w, id;
	struct kioctx *ctx;

	*rnd ^= *rnd << 13;
	*rnd ^= *rnd >> 17;
	*rnd ^= *rnd << 5;
	w = smp_load_acquire(&c->slots[*rnd % CHURN_SLOTS]);
	id = w >> 1;
	if (!id)
		return;
	ctx = lookup_ioctx(c->mm, id);
	n[0]++;
	if (!ctx)
		return;
	n[1]++;
	if ((w & 1) || ctx->magic != KIOCTX_MAGIC || ctx->user_id != id || ctx->mm != c->mm ||
	    atomic_read(&ctx->users) < 1)
		atomic64_inc(&c->errors);
	put_ioctx(ctx);
}

static int churn_reader(void *arg)
{
	struct churn *c = arg;
	uint32_t rnd = 0x9e3779b9u * (smp_processor_id() + 1);
	uint64_t n[2] = {0, 0};

	while (!READ_ONCE(c->stop))
		churn_lookup(c, &rnd, n);
	atomic64_add_return((int64_t)n[0], &c->lookups);
	atomic64_add_return((int64_t)n[1], &c->hits);
	return 0;
}

static int churn_creator(void *arg)
{
	struct churn *c = arg;
	uint32_t rnd = 12345;
	uint64_t n[2] = {0, 0};

	for (unsigned int i = 0; i < CHURN_CONTEXTS; i++) {
		unsigned int slot = i % CHURN_SLOTS;
		uint64_t w = c->slots[slot];
		aio_context_t id;

		if (w && io_destroy(c->mm, w >> 1) != 0)
			atomic64_inc(&c->creator_errors);
		smp_store_release(&c->slots[slot], w | 1);
		if (io_setup(c->mm, 1 + i % 4, &id) != 0) {
			atomic64_inc(&c->creator_errors);
			continue;
		}
		smp_store_release(&c->slots[slot], id << 1);
		churn_lookup(c, &rnd, n); /* its own CPU looks up too */
	}
	atomic64_add_return((int64_t)n[0], &c->lookups);
	atomic64_add_return((int64_t)n[1], &c->hits);
	return 0;
}

static void churn(struct ktest *t, struct mm_aio *mm)
{
	static struct churn c;
	struct thread *readers[NR_CPUS], *creator;
	struct aio_stats start, end;
	unsigned int cpu, n = 0;

	ASSERT_TRUE(t, settle());
	memset((void *)&c, 0, sizeof(c));
	c.mm = mm;
	start = aio_get_stats();
	creator = kthread_create(churn_creator, &c, "aio-churn");
	ASSERT_NOT_NULL(t, creator);
	kthread_bind(creator, 0);
	for_each_cpu(cpu, &cpu_online_mask) {
		if (cpu == 0 && num_online_cpus() > 1)
			continue;
		readers[n] = kthread_create(churn_reader, &c, "aio-look/%u", cpu);
		if (!readers[n])
			break;
		kthread_bind(readers[n], cpu);
		wake_up_new_thread(readers[n++]);
	}
	wake_up_new_thread(creator);
	EXPECT_EQ(t, kthread_join(creator), 0);
	WRITE_ONCE(c.stop, true);
	while (n--)
		kthread_join(readers[n]);
	for (unsigned int i = 0; i < CHURN_SLOTS; i++)
		if (c.slots[i] && !(c.slots[i] & 1))
			EXPECT_EQ(t, io_destroy(mm, c.slots[i] >> 1), 0);
	EXPECT_TRUE(t, settle());
	end = aio_get_stats();
	ktest_log(t, "%u contexts, %lld lookups, %lld found, %llu gp retries", CHURN_CONTEXTS,
		  (long long)atomic64_read(&c.lookups), (long long)atomic64_read(&c.hits),
		  (unsigned long long)(end.gp_retries - start.gp_retries));
	EXPECT_EQ(t, atomic64_read(&c.errors), 0);
	EXPECT_EQ(t, atomic64_read(&c.creator_errors), 0);
	EXPECT_GT(t, atomic64_read(&c.hits), 0);
	EXPECT_EQ(t, end.created - start.created, (uint64_t)CHURN_CONTEXTS);
	EXPECT_EQ(t, end.freed - start.freed, (uint64_t)CHURN_CONTEXTS);
	EXPECT_EQ(t, end.aio_nr, start.aio_nr);
	/* No freed context was written to: its poison is intact; none leaked. */
	EXPECT_EQ(t, kioctx_poison_damage(), 0u);
	EXPECT_EQ(t, end.allocated, start.allocated);
}

static void test_lookup_every_cpu_while_churning(struct ktest *t)
{
	with_owner(t, churn);
}

static struct iocb make_iocb(uint16_t op, struct memfile *f, void *buf, uint64_t n, int64_t off,
			     uint64_t data)
{
	struct iocb cb = {
		.aio_data = data,
		.aio_lio_opcode = op,
		.aio_filp = f ? &f->file : NULL,
		.aio_buf = buf,
		.aio_nbytes = n,
		.aio_offset = off,
	};
	return cb;
}

static void round_trip(struct ktest *t, struct mm_aio *mm)
{
	char wbuf[64], rbuf[64], tail[64];
	struct io_event ev[4];
	struct memfile *f = memfile_create(4096);
	struct iocb w, nop, r, past, beyond;
	struct iocb *batch[2];
	aio_context_t id;

	ASSERT_NOT_NULL(t, f);
	for (int i = 0; i < 64; i++)
		wbuf[i] = (char)(i * 7 + 1);
	memset(rbuf, 0, sizeof(rbuf));
	if (!EXPECT_EQ(t, io_setup(mm, 4, &id), 0))
		goto out;
	w = make_iocb(IOCB_CMD_PWRITE, f, wbuf, 64, 100, 1);
	nop = make_iocb(IOCB_CMD_NOOP, NULL, NULL, 0, 0, 2);
	batch[0] = &w;
	batch[1] = &nop;
	EXPECT_EQ(t, io_submit(mm, id, 2, batch), 2);
	EXPECT_EQ(t, io_getevents(mm, id, 2, 4, ev, 5000), 2);
	for (int i = 0; i < 2; i++) {
		if (ev[i].data == 1) {
			EXPECT_EQ(t, ev[i].res, 64);
			EXPECT_EQ(t, ev[i].obj, (uint64_t)(uintptr_t)&w);
		} else {
			EXPECT_EQ(t, ev[i].data, 2u);
			EXPECT_EQ(t, ev[i].res, 0);
			EXPECT_EQ(t, ev[i].obj, (uint64_t)(uintptr_t)&nop);
		}
	}
	/* Read it back, then across the end of the file, then write past it. */
	r = make_iocb(IOCB_CMD_PREAD, f, rbuf, 64, 100, 3);
	past = make_iocb(IOCB_CMD_PREAD, f, tail, 64, 4090, 4);
	beyond = make_iocb(IOCB_CMD_PWRITE, f, wbuf, 64, 4096, 5);
	batch[0] = &r;
	EXPECT_EQ(t, io_submit(mm, id, 1, batch), 1);
	EXPECT_EQ(t, io_getevents(mm, id, 1, 4, ev, 5000), 1);
	EXPECT_EQ(t, ev[0].data, 3u);
	EXPECT_EQ(t, ev[0].res, 64);
	EXPECT_EQ(t, memcmp(rbuf, wbuf, 64), 0);
	batch[0] = &past;
	batch[1] = &beyond;
	EXPECT_EQ(t, io_submit(mm, id, 2, batch), 2);
	EXPECT_EQ(t, io_getevents(mm, id, 2, 2, ev, 5000), 2);
	for (int i = 0; i < 2; i++)
		EXPECT_EQ(t, ev[i].res, ev[i].data == 4 ? 6 : -ENOSPC);
out:
	memfile_free(f);
}

/*
 * On a real file of a tmpfs: a PWRITE and a PREAD through file_aio, with the descriptor
 * closed while the write is queued (the request keeps the file), a PWRITE on a read-only
 * open refused with EBADF in its event, and nothing left behind: no open file, no writer on
 * the mount, which then unmounts.
 */
static void real_file(struct ktest *t, struct mm_aio *mm)
{
	static const char msg[] = "written by a worker";
	uint64_t files = nr_files();
	struct iocb w, r, bad, *batch[1];
	struct io_event ev[2];
	struct file *f;
	char buf[32] = {0};
	aio_context_t id;
	int fd;

	ASSERT_EQ(t, sys_mkdir("/tmp/aio_real", 0755), 0);
	ASSERT_EQ(t, sys_mount("aio", "/tmp/aio_real", "tmpfs", 0, NULL), 0);
	ASSERT_EQ(t, io_setup(mm, 2, &id), 0);
	fd = sys_open("/tmp/aio_real/f", O_RDWR | O_CREAT, 0644);
	ASSERT_GE(t, fd, 0);
	f = fget(fd);
	w = (struct iocb){.aio_data = 1,
			  .aio_lio_opcode = IOCB_CMD_PWRITE,
			  .aio_filp = file_aio(f),
			  .aio_buf = (void *)msg,
			  .aio_nbytes = sizeof(msg),
			  .aio_offset = 10};
	batch[0] = &w;
	EXPECT_EQ(t, io_submit(mm, id, 1, batch), 1);
	fput(f);
	EXPECT_EQ(t, sys_close(fd), 0); /* the queued write still holds the file */
	EXPECT_EQ(t, io_getevents(mm, id, 1, 2, ev, 5000), 1);
	EXPECT_EQ(t, ev[0].res, (int64_t)sizeof(msg));
	fd = sys_open("/tmp/aio_real/f", O_RDONLY, 0);
	ASSERT_GE(t, fd, 0);
	f = fget(fd);
	r = (struct iocb){.aio_data = 2,
			  .aio_lio_opcode = IOCB_CMD_PREAD,
			  .aio_filp = file_aio(f),
			  .aio_buf = buf,
			  .aio_nbytes = sizeof(msg),
			  .aio_offset = 10};
	bad = (struct iocb){.aio_data = 3,
			    .aio_lio_opcode = IOCB_CMD_PWRITE,
			    .aio_filp = file_aio(f),
			    .aio_buf = (void *)msg,
			    .aio_nbytes = 4};
	batch[0] = &r;
	EXPECT_EQ(t, io_submit(mm, id, 1, batch), 1);
	batch[0] = &bad;
	EXPECT_EQ(t, io_submit(mm, id, 1, batch), 1);
	EXPECT_EQ(t, io_getevents(mm, id, 2, 2, ev, 5000), 2);
	for (int i = 0; i < 2; i++)
		EXPECT_EQ(t, ev[i].res, ev[i].data == 2 ? (int64_t)sizeof(msg) : -EBADF);
	EXPECT_EQ(t, memcmp(buf, msg, sizeof(msg)), 0);
	fput(f);
	EXPECT_EQ(t, sys_close(fd), 0);
	EXPECT_EQ(t, io_destroy(mm, id), 0);
	EXPECT_EQ(t, nr_files(), files);
	EXPECT_EQ(t, sys_umount("/tmp/aio_real"), 0); /* EBUSY if a reference leaked */
	EXPECT_EQ(t, sys_rmdir("/tmp/aio_real"), 0);
}

static void test_submit_on_a_real_file(struct ktest *t)
{
	with_owner(t, real_file);
}

static void test_submit_getevents_round_trip(struct ktest *t)
{
	with_owner(t, round_trip);
}

static void timeouts(struct ktest *t, struct mm_aio *mm)
{
	struct iocb nop = make_iocb(IOCB_CMD_NOOP, NULL, NULL, 0, 0, 9);
	struct iocb *batch[1] = {&nop};
	struct io_event ev[4];
	aio_context_t id;
	uint64_t j0;

	ASSERT_EQ(t, io_setup(mm, 4, &id), 0);
	/* Nothing submitted: 0 events, at once with timeout 0, after the timeout otherwise. Time
	   is counted in ticks, what the sleep counts: TCG can bunch ticks up in TSC time. */
	j0 = jiffies;
	EXPECT_EQ(t, io_getevents(mm, id, 1, 4, ev, 0), 0);
	EXPECT_LT(t, jiffies - j0, 50u);
	j0 = jiffies;
	EXPECT_EQ(t, io_getevents(mm, id, 1, 4, ev, 30), 0);
	EXPECT_GE(t, jiffies - j0, (uint64_t)msecs_to_jiffies(30));
	/* One event, two wanted: the one, after the timeout. */
	EXPECT_EQ(t, io_submit(mm, id, 1, batch), 1);
	j0 = jiffies;
	EXPECT_EQ(t, io_getevents(mm, id, 2, 4, ev, 30), 1);
	EXPECT_GE(t, jiffies - j0, (uint64_t)msecs_to_jiffies(30));
	EXPECT_EQ(t, ev[0].data, 9u);
	/* Without a limit, it waits for the event. */
	EXPECT_EQ(t, io_submit(mm, id, 1, batch), 1);
	EXPECT_EQ(t, io_getevents(mm, id, 1, 1, ev, AIO_WAIT_FOREVER), 1);
	/* min_nr 0: whatever is there, now. */
	EXPECT_EQ(t, io_getevents(mm, id, 0, 4, ev, AIO_WAIT_FOREVER), 0);
}

static void test_getevents_timeouts(struct ktest *t)
{
	with_owner(t, timeouts);
}

static int64_t read_zeroes(struct aio_file *f, void *buf, size_t len, int64_t pos)
{
	(void)f;
	(void)pos;
	memset(buf, 0, len);
	return (int64_t)len;
}

static const struct aio_file_operations read_only_ops = {.read = read_zeroes};

static void errors(struct ktest *t, struct mm_aio *mm)
{
	struct aio_file read_only = {.f_op = &read_only_ops}, no_ops = {.f_op = NULL};
	struct iocb nop = make_iocb(IOCB_CMD_NOOP, NULL, NULL, 0, 0, 0);
	struct iocb fsync = make_iocb(2 /* IOCB_CMD_FSYNC */, NULL, NULL, 0, 0, 0);
	struct iocb odd = make_iocb(0x4242, NULL, NULL, 0, 0, 0);
	struct iocb nofile = make_iocb(IOCB_CMD_PREAD, NULL, NULL, 8, 0, 0);
	struct iocb noread = make_iocb(IOCB_CMD_PREAD, NULL, NULL, 8, 0, 0);
	struct iocb nowrite = make_iocb(IOCB_CMD_PWRITE, NULL, NULL, 8, 0, 0);
	struct iocb *bad_ops[] = {&fsync, &odd}, *bad_files[] = {&nofile, &noread, &nowrite};
	struct iocb *three[3] = {&nop, &nop, &nop}, *mixed[2] = {&nop, &odd};
	struct io_event ev[4];
	aio_context_t id, bad;

	noread.aio_filp = &no_ops;
	nowrite.aio_filp = &read_only;
	ASSERT_EQ(t, io_setup(mm, 2, &id), 0);
	bad = id + 1000000;
	EXPECT_EQ(t, io_submit(mm, bad, 1, three), -EINVAL);
	EXPECT_EQ(t, io_getevents(mm, bad, 0, 1, ev, 0), -EINVAL);
	EXPECT_EQ(t, io_destroy(mm, bad), -EINVAL);
	EXPECT_EQ(t, io_submit(mm, id, -1, three), -EINVAL);
	EXPECT_EQ(t, io_getevents(mm, id, 2, 1, ev, 0), -EINVAL); /* min_nr > nr */
	EXPECT_EQ(t, io_getevents(mm, id, -1, 1, ev, 0), -EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad_ops); i++)
		EXPECT_EQ(t, io_submit(mm, id, 1, &bad_ops[i]), -EOPNOTSUPP);
	for (size_t i = 0; i < ARRAY_SIZE(bad_files); i++)
		EXPECT_EQ(t, io_submit(mm, id, 1, &bad_files[i]), -EBADF);

	/* The ring has 2 slots: 3 requests queue 2, and the next finds it full until a reap. */
	EXPECT_EQ(t, io_submit(mm, id, 3, three), 2);
	EXPECT_EQ(t, io_submit(mm, id, 1, three), -EAGAIN);
	EXPECT_EQ(t, io_getevents(mm, id, 2, 4, ev, 5000), 2);
	EXPECT_EQ(t, io_submit(mm, id, 1, three), 1);
	EXPECT_EQ(t, io_getevents(mm, id, 1, 4, ev, 5000), 1);
	/* A bad iocb after a good one: the good one counts. */
	EXPECT_EQ(t, io_submit(mm, id, 2, mixed), 1);
	EXPECT_EQ(t, io_getevents(mm, id, 1, 4, ev, 5000), 1);
}

static void test_submit_errors(struct ktest *t)
{
	with_owner(t, errors);
}

struct waiter {
	struct mm_aio *mm;
	aio_context_t id;
	volatile bool started;
	long ret;
};

static int getevents_forever(void *arg)
{
	struct waiter *w = arg;
	struct io_event ev;

	WRITE_ONCE(w->started, true);
	w->ret = io_getevents(w->mm, w->id, 1, 1, &ev, AIO_WAIT_FOREVER);
	return 0;
}

/* io_destroy wakes a thread waiting in io_getevents: it returns -EINVAL, it does not hang. */
static void destroy_wakes(struct ktest *t, struct mm_aio *mm)
{
	struct waiter w = {.mm = mm, .ret = 1};
	struct thread *th;

	ASSERT_EQ(t, io_setup(mm, 2, &w.id), 0);
	th = kthread_run(getevents_forever, &w, "aio-wait");
	ASSERT_NOT_NULL(t, th);
	while (!READ_ONCE(w.started))
		msleep(1);
	msleep(20); /* most likely asleep in io_getevents by now; either way it must return */
	EXPECT_EQ(t, io_destroy(mm, w.id), 0);
	kthread_join(th);
	EXPECT_EQ(t, w.ret, -EINVAL);
}

static void test_destroy_wakes_getevents(struct ktest *t)
{
	with_owner(t, destroy_wakes);
}

/* The rwlock "before" finds what the lockless lookup finds, and takes the same reference. */
static void rwlock_lookup(struct ktest *t, struct mm_aio *mm)
{
	aio_context_t ids[3];
	struct kioctx *ctx;

	for (int i = 0; i < 3; i++)
		ASSERT_EQ(t, io_setup(mm, 2, &ids[i]), 0);
	for (int i = 0; i < 3; i++) {
		ctx = lookup_ioctx_rwlock(mm, ids[i]);
		ASSERT_NOT_NULL(t, ctx);
		EXPECT_EQ(t, ctx->user_id, ids[i]);
		EXPECT_EQ(t, atomic_read(&ctx->users), 2);
		put_ioctx(ctx);
	}
	EXPECT_EQ(t, io_destroy(mm, ids[1]), 0);
	EXPECT_NULL(t, lookup_ioctx_rwlock(mm, ids[1]));
	ctx = lookup_ioctx_rwlock(mm, ids[2]);
	EXPECT_NOT_NULL(t, ctx);
	if (ctx)
		put_ioctx(ctx);
}

static void test_rwlock_lookup(struct ktest *t)
{
	with_owner(t, rwlock_lookup);
}

static void test_exit_aio_destroys_all(struct ktest *t)
{
	struct aio_stats start, s;
	aio_context_t ids[4];
	struct mm_aio mm;

	ASSERT_TRUE(t, settle());
	start = aio_get_stats();
	mm_aio_init(&mm, "ktest-exit");
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(t, io_setup(&mm, 3, &ids[i]), 0);
	exit_aio(&mm);
	EXPECT_TRUE(t, hlist_empty(&mm.ioctx_list));
	s = aio_get_stats();
	EXPECT_EQ(t, s.contexts, start.contexts);
	EXPECT_EQ(t, s.destroyed - start.destroyed, 4u);
	EXPECT_TRUE(t, settle());
	EXPECT_EQ(t, aio_get_stats().aio_nr, start.aio_nr);
}

/* What a torture run must leave behind, broken or not: no quarantine, no context, no damage. */
static void expect_torture_cleaned_up(struct ktest *t, const struct aio_stats *start)
{
	struct aio_stats s = aio_get_stats();

	EXPECT_EQ(t, kioctx_quarantine_get_stats().held, 0u);
	EXPECT_EQ(t, s.allocated, start->allocated);
	EXPECT_EQ(t, s.contexts, start->contexts);
	EXPECT_EQ(t, s.aio_nr, start->aio_nr);
	EXPECT_EQ(t, kioctx_poison_damage(), 0u);
}

static void log_torture(struct ktest *t, const struct aio_torture_result *r)
{
	ktest_log(t,
		  "%llu ms: %llu destroys, %llu lookups (%llu rwlock), %llu delayed; %lld "
		  "errors (%llu walks on a freed context), the first after %llu ms",
		  (unsigned long long)r->ms, (unsigned long long)r->destroys,
		  (unsigned long long)r->lookups, (unsigned long long)r->rwlock_lookups,
		  (unsigned long long)r->delay_hits, r->errors, (unsigned long long)r->reached,
		  (unsigned long long)r->first_ms);
}

/*
 * The broken variant free-at-once frees a destroyed context without waiting for a grace
 * period: torture aio must see a lookup read a freed context within CATCH_MS (the run ends
 * soon after its first error; the first usually comes in tens of milliseconds). The rwlock
 * lookups stay clean, and the kernel is left as it was: the quarantine emptied into the slab.
 */
static void test_torture_catches_free_at_once(struct ktest *t)
{
	struct aio_torture_result r;
	struct aio_stats start;
	int err;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs: on one, a lookup's read side keeps the updater out");
	ASSERT_TRUE(t, settle());
	start = aio_get_stats();
	err = aio_torture_run(AIO_TORTURE_FREE_AT_ONCE, CATCH_MS, 0, AIO_TORTURE_UNTIL_CAUGHT, &r);
	ASSERT_EQ(t, err, 0);
	log_torture(t, &r);
	EXPECT_GT(t, r.errors, 0);
	EXPECT_GT(t, r.reached, 0u);
	EXPECT_LE(t, r.first_ms, (uint64_t)CATCH_MS);
	EXPECT_EQ(t, r.rwlock_errors, 0);
	EXPECT_GT(t, r.delay_hits, 0u);
	expect_torture_cleaned_up(t, &start);
}

/* The real mechanism under the same load, with the same delay points on: no error at all. */
static void test_torture_real_clean_with_delay_points(struct ktest *t)
{
	struct aio_torture_result r;
	struct aio_stats start;

	ASSERT_TRUE(t, settle());
	start = aio_get_stats();
	ASSERT_EQ(t, aio_torture_run(AIO_TORTURE_REAL, TORTURE_MS, 0, 0, &r), 0);
	log_torture(t, &r);
	EXPECT_EQ(t, r.errors, 0);
	EXPECT_EQ(t, r.reached, 0u);
	EXPECT_GT(t, r.destroys, 0u);
	EXPECT_GT(t, r.rwlock_lookups, 0u);
	EXPECT_GT(t, r.delay_hits, 0u);
	expect_torture_cleaned_up(t, &start);
}

KTEST_SUITE(aio, KTEST_CASE(test_setup_lookup_destroy), KTEST_CASE(test_lookup_destroyed_fails),
	    KTEST_CASE(test_setup_bad_nr_events), KTEST_CASE(test_aio_nr_returns_to_start),
	    KTEST_CASE(test_gp_retry_succeeds_when_frees_pending),
	    KTEST_CASE(test_gp_retry_fails_with_eagain),
	    KTEST_CASE(test_setup_enomem_changes_no_counts),
	    KTEST_CASE(test_lookup_every_cpu_while_churning),
	    KTEST_CASE(test_submit_getevents_round_trip), KTEST_CASE(test_submit_on_a_real_file),
	    KTEST_CASE(test_getevents_timeouts), KTEST_CASE(test_submit_errors),
	    KTEST_CASE(test_destroy_wakes_getevents), KTEST_CASE(test_rwlock_lookup),
	    KTEST_CASE(test_exit_aio_destroys_all), KTEST_CASE(test_torture_catches_free_at_once),
	    KTEST_CASE(test_torture_real_clean_with_delay_points));
