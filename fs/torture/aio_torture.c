/*
 * `torture aio`: every path of fs/aio.c at once, for a fixed time, counting errors
 * (fs/torture/aio_torture.h).
 *
 *  - updaters (half the CPUs, at least one) destroy and set up contexts in shared slots with
 *    random sizes, under an aio_max_nr lowered so that io_setup keeps reaching the limit: it
 *    waits for pending frees and retries, and sometimes still gets -EAGAIN (counted, not an
 *    error). A slot holds id << 1, with bit 0 set once io_destroy of that id has returned.
 *  - readers (one bound to each CPU) look up the ids in random slots, or in the slot an
 *    updater is about to destroy (its victim), half of the time with the rwlock "before".
 *    Errors: a context found after its io_destroy returned, or one whose magic, id or mm
 *    is wrong. A walk that reaches a freed context panics (kioctx_check), but for the broken
 *    variant's quarantined contexts, whose walks are counted as errors.
 *  - I/O threads (one per CPU) each write a pattern into their own tmpfs file
 *    (/tmp/aio-torture-N) through their own context, read it back, fill the ring until -EAGAIN,
 *    try a bad opcode, and now and then destroy their context with a write in flight and set
 *    up another. Errors: a wrong result, wrong data, a wrong error code, a missing event, a
 *    write not in the file when io_destroy returned.
 * At the end every context is destroyed; then the frees must all have run, aio_nr and the
 * allocated contexts must be back where they started, and no freed context may have lost its
 * slab poison (a write after free), nor a quarantined one its quarantine poison.
 *
 * `torture aio` runs the real mechanism, with the delay points of the two lookups on for the
 * second half, then the self-check: the broken variant free-at-once for SELF_CHECK_MS, which
 * must be caught. `torture aio --broken free-at-once` runs that variant alone.
 *
 * The threads share one mm: its ioctx_lock is the only lock taken here, inside fs/aio.c.
 */
#include "fs/torture/aio_torture.h"
#include "kernel/torture/torture.h"
#include "fs/aio.h"
#include "fs/syscalls.h"
#include "mm/mm.h"
#include "kernel/console_input.h"
#include "kernel/delay_point.h"
#include "kernel/kthread.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "kernel/printk.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define SLOTS	      32
#define MAX_EVENTS    16 /* an updater's contexts have 1..MAX_EVENTS events */
#define IO_RING	      4	 /* events of an I/O thread's context */
#define IO_FILE_SIZE  4096
#define IO_MAX_LEN    256
#define IO_TIMEOUT_MS 10000 /* an event later than this is an error */
#define MAX_THREADS   (3 * NR_CPUS)
#define SELF_CHECK_MS 1000
/*
 * The delay points. An updater names its victim and waits VICTIM_US before it destroys it; a
 * lockless lookup that finds a context waits LOOKUP_US before it checks it. A reader that
 * chases the victim and finds it while the updater waits therefore still stands on it when
 * io_destroy frees it (LOOKUP_US > VICTIM_US), whatever the speeds of the two CPUs.
 */
#define VICTIM_US 20
#define LOOKUP_US 40
/* The rwlock lookups wait on one pass in RWLOCK_EVERY only: a reader waiting inside the read
   side holds off the updaters' write side, and at every pass they would hardly get in. */
#define RWLOCK_EVERY 8
/* The broken variant's updaters stop destroying once the quarantine holds this many contexts
   (192 bytes each): a long broken run may not eat the memory of a small machine. */
#define QUARANTINE_MAX 16384
/* AIO_TORTURE_UNTIL_CAUGHT: how long a run goes on after its first error. */
#define CAUGHT_MARGIN_MS 50

static DEFINE_DELAY_POINT(
	dp_victim, "aio-victim",
	"torture aio's updater: its victim named for the readers, not yet destroyed");

static struct aio_torture {
	struct mm *mm;
	volatile uint64_t slots[SLOTS];
	unsigned int victim[NR_CPUS]; /* the slot updater k destroys next, or destroyed last */
	unsigned int nr_updaters;
	enum aio_torture_type type;
	volatile bool stop;
	atomic64_t setups, destroys, eagain, lookups, found, io_rounds;
	atomic64_t rwlock_lookups, rwlock_errors;
	struct torture_errors err;
} aio_torture;

static uint32_t next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void error(const char *what, long long value)
{
	if (torture_error(&aio_torture.err))
		kprintf("torture aio: error: %s (%lld)\n", what, value);
}

/* An error a reader found in what its lookup returned; counted apart for the rwlock lookups,
   which must stay clean even in the broken variant. */
static void lookup_error(bool rwlock, const char *what, long long id)
{
	if (rwlock)
		atomic64_inc(&aio_torture.rwlock_errors);
	if (torture_error(&aio_torture.err))
		kprintf("torture aio: error: %s lookup %s (%lld)\n", rwlock ? "rwlock" : "rcu",
			what, id);
}

/* In the broken variant: the quarantine holds enough, the updaters leave the slots alone. */
static bool quarantine_full(void)
{
	return aio_torture.type == AIO_TORTURE_FREE_AT_ONCE &&
	       kioctx_quarantine_get_stats().held >= QUARANTINE_MAX;
}

/* A random slot of updater k's: k, k + nr_updaters, ... */
static unsigned int updater_slot(unsigned int k, uint32_t *rnd)
{
	return k + aio_torture.nr_updaters * (next_random(rnd) % (SLOTS / aio_torture.nr_updaters));
}

/* Updater k owns the slots k, k + nr_updaters, ... Before it destroys a context it names its
   slot in victim[k], for the readers that chase it, and waits at dp_victim. */
static int updater(void *arg)
{
	unsigned int k = (unsigned int)(uintptr_t)arg;
	uint32_t rnd = 0x2545f491u * (k + 1);

	while (!READ_ONCE(aio_torture.stop)) {
		unsigned int slot = updater_slot(k, &rnd);
		uint64_t w = aio_torture.slots[slot];
		aio_context_t id;
		int err;

		if (quarantine_full()) {
			msleep(10);
			continue;
		}
		if (w && !(w & 1)) {
			WRITE_ONCE(aio_torture.victim[k], slot);
			delay_point(&dp_victim);
			err = io_destroy(aio_torture.mm, w >> 1);
			if (err)
				error("io_destroy of a live context", err);
			atomic64_inc(&aio_torture.destroys);
			smp_store_release(&aio_torture.slots[slot], w | 1);
		}
		err = io_setup(aio_torture.mm, 1 + next_random(&rnd) % MAX_EVENTS, &id);
		if (err == 0) {
			atomic64_inc(&aio_torture.setups);
			smp_store_release(&aio_torture.slots[slot], id << 1);
		} else if (err == -EAGAIN) {
			atomic64_inc(
				&aio_torture
					 .eagain); /* at the limit: the slot stays empty for now */
		} else {
			error("io_setup", err);
		}
	}
	return 0;
}

static int reader(void *arg)
{
	uint32_t rnd = 0x9e3779b9u * ((unsigned int)(uintptr_t)arg + 1);
	unsigned int n = 0;

	while (!READ_ONCE(aio_torture.stop)) {
		uint32_t r = next_random(&rnd);
		/* Half of the lookups chase an updater's next victim: they race with its destroy. */
		unsigned int slot =
			r & 0x20000 ? READ_ONCE(aio_torture.victim[r % aio_torture.nr_updaters])
				    : r % SLOTS;
		uint64_t w = smp_load_acquire(&aio_torture.slots[slot]);
		aio_context_t id = w >> 1;
		bool rwlock = r & 0x10000;
		struct kioctx *ctx;

		if (++n % 4096 == 0)
			yield(); /* the workers and I/O threads on this CPU go first */
		if (!id)
			continue;
		ctx = rwlock ? lookup_ioctx_rwlock(aio_torture.mm, id)
			     : lookup_ioctx(aio_torture.mm, id);
		atomic64_inc(&aio_torture.lookups);
		if (rwlock)
			atomic64_inc(&aio_torture.rwlock_lookups);
		if (!ctx)
			continue;
		atomic64_inc(&aio_torture.found);
		if (w & 1)
			lookup_error(rwlock, "found a context after io_destroy returned",
				     (long long)id);
		if (ctx->magic != KIOCTX_MAGIC || ctx->user_id != id || ctx->mm != aio_torture.mm)
			lookup_error(rwlock, "returned a wrong or freed context", (long long)id);
		put_ioctx(ctx);
	}
	return 0;
}

/* Submits the batch and waits for all its events; false (and an error) if that fails. */
static bool submit_wait(aio_context_t id, struct iocb **cbs, long nr, struct io_event *ev)
{
	long got, n = io_submit(aio_torture.mm, id, nr, cbs);

	if (n != nr) {
		error("io_submit", n);
		return false;
	}
	got = io_getevents(aio_torture.mm, id, nr, nr, ev, IO_TIMEOUT_MS);
	if (got != nr) {
		error("io_getevents: events missing", got);
		return false;
	}
	return true;
}

/* One round: write a pattern and a NOOP, read the pattern back, compare. */
static bool io_round(aio_context_t id, int fd, uint32_t *rnd)
{
	char wbuf[IO_MAX_LEN], rbuf[IO_MAX_LEN];
	size_t len = 1 + next_random(rnd) % IO_MAX_LEN;
	int64_t off = next_random(rnd) % (IO_FILE_SIZE - IO_MAX_LEN);
	uint8_t pattern = (uint8_t)next_random(rnd);
	struct iocb w = {.aio_data = 1,
			 .aio_lio_opcode = IOCB_CMD_PWRITE,
			 .aio_fildes = fd,
			 .aio_buf = wbuf,
			 .aio_nbytes = len,
			 .aio_offset = off};
	struct iocb nop = {.aio_data = 2, .aio_lio_opcode = IOCB_CMD_NOOP};
	struct iocb r = {.aio_data = 3,
			 .aio_lio_opcode = IOCB_CMD_PREAD,
			 .aio_fildes = fd,
			 .aio_buf = rbuf,
			 .aio_nbytes = len,
			 .aio_offset = off};
	struct iocb *batch[2] = {&w, &nop};
	struct io_event ev[2];

	for (size_t i = 0; i < len; i++)
		wbuf[i] = (char)(pattern + i);
	if (!submit_wait(id, batch, 2, ev))
		return false;
	for (int i = 0; i < 2; i++)
		if (ev[i].res != (ev[i].data == 1 ? (int64_t)len : 0))
			error("write or NOOP result", ev[i].res);
	batch[0] = &r;
	if (!submit_wait(id, batch, 1, ev))
		return false;
	if (ev[0].res != (int64_t)len || ev[0].obj != (uint64_t)(uintptr_t)&r)
		error("read result", ev[0].res);
	else if (memcmp(rbuf, wbuf, len) != 0)
		error("read back other data than written", (long long)off);
	return true;
}

/*
 * Destroys the context with a write in flight, then sets up another: when io_destroy returns
 * the write must be in the file, since io_destroy waits for the requests in flight. False
 * when there is no context left (an error, or the run ended while io_setup met the limit).
 */
static bool destroy_round(aio_context_t *id, int fd, uint32_t *rnd)
{
	char wbuf[IO_MAX_LEN], rbuf[IO_MAX_LEN];
	uint8_t pattern = (uint8_t)next_random(rnd);
	struct iocb w = {.aio_data = 4,
			 .aio_lio_opcode = IOCB_CMD_PWRITE,
			 .aio_fildes = fd,
			 .aio_buf = wbuf,
			 .aio_nbytes = IO_MAX_LEN};
	struct iocb *batch[1] = {&w};
	long n;
	int err;

	for (size_t i = 0; i < IO_MAX_LEN; i++)
		wbuf[i] = (char)(pattern ^ i);
	n = io_submit(aio_torture.mm, *id, 1, batch);
	err = io_destroy(aio_torture.mm, *id);
	*id = 0;
	if (n != 1 || err) {
		error("io_submit or io_destroy of an I/O context", n != 1 ? n : err);
		return false;
	}
	if (sys_pread(fd, rbuf, IO_MAX_LEN, 0) != IO_MAX_LEN || memcmp(rbuf, wbuf, IO_MAX_LEN))
		error("io_destroy returned before its request's write", pattern);
	do
		err = io_setup(aio_torture.mm, IO_RING, id);
	while (err == -EAGAIN && !READ_ONCE(aio_torture.stop));
	if (err && err != -EAGAIN)
		error("io_setup of an I/O context", err);
	return err == 0;
}

/* Fills the ring: IO_RING requests queue, the next one gets -EAGAIN; a bad opcode too. */
static bool full_ring(aio_context_t id)
{
	struct iocb nop = {.aio_lio_opcode = IOCB_CMD_NOOP};
	struct iocb bad = {.aio_lio_opcode = 0x77};
	struct iocb *cbs[IO_RING + 1], *badp = &bad;
	struct io_event ev[IO_RING];
	long n;

	for (int i = 0; i <= IO_RING; i++)
		cbs[i] = &nop;
	n = io_submit(aio_torture.mm, id, 1, &badp);
	if (n != -EOPNOTSUPP)
		error("bad opcode", n);
	n = io_submit(aio_torture.mm, id, IO_RING + 1, cbs);
	if (n != IO_RING)
		error("filling the ring", n);
	n = io_submit(aio_torture.mm, id, 1, cbs);
	if (n != -EAGAIN)
		error("submit to a full ring", n);
	n = io_getevents(aio_torture.mm, id, IO_RING, IO_RING, ev, IO_TIMEOUT_MS);
	if (n != IO_RING) {
		error("io_getevents after filling the ring", n);
		return false;
	}
	return true;
}

static int io_thread(void *arg)
{
	aio_context_t id = (aio_context_t)(uintptr_t)arg;
	uint32_t rnd = (uint32_t)id * 0x85ebca6bu;
	char path[32];
	unsigned int n = 0;
	int fd;

	snprintf(path, sizeof(path), "/tmp/aio-torture-%llu", (unsigned long long)id);
	fd = sys_open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		error("open of the I/O file", fd);
		return 0;
	}
	while (!READ_ONCE(aio_torture.stop)) {
		/* After an error the ring may hold stale events: this thread stops checking. */
		bool ok;

		if (++n % 16 == 0)
			ok = full_ring(id);
		else if (n % 16 == 8)
			ok = destroy_round(&id, fd, &rnd);
		else
			ok = io_round(id, fd, &rnd);
		if (!ok)
			break;
		atomic64_inc(&aio_torture.io_rounds);
	}
	sys_close(fd);
	sys_unlink(path);
	return 0;
}

static void report(const char *when)
{
	kprintf("torture aio: %s%lld setups, %lld destroys, %lld EAGAIN, %lld lookups "
		"(%lld found, %lld rwlock), %lld I/O rounds, %lld errors\n",
		when, (long long)atomic64_read(&aio_torture.setups),
		(long long)atomic64_read(&aio_torture.destroys),
		(long long)atomic64_read(&aio_torture.eagain),
		(long long)atomic64_read(&aio_torture.lookups),
		(long long)atomic64_read(&aio_torture.found),
		(long long)atomic64_read(&aio_torture.rwlock_lookups),
		(long long)atomic64_read(&aio_torture.io_rounds),
		(long long)atomic64_read(&aio_torture.err.count));
}

static bool settle(void)
{
	return aio_wait_for_frees(5000);
}

/*
 * Empties the quarantine (the broken variant's freed contexts) once every free has run:
 * the walks that stood on one and the poisoned words written since are errors, counted in
 * *r apart from the threads' (a walk's time is the quarantine's, not torture_error()'s).
 */
static void release_quarantine(struct aio_torture_result *r)
{
	struct kioctx_quarantine_stats q = kioctx_quarantine_get_stats();

	r->reached = q.reached;
	if (q.reached)
		r->first_ms = (q.first_reached_ns - aio_torture.err.start_ns) / 1000000;
	r->damaged = kioctx_quarantine_release();
	if (r->reached)
		kprintf("torture aio: %llu lookups stood on a freed context (its quarantine "
			"poison), the first after %llu ms\n",
			(unsigned long long)r->reached, (unsigned long long)r->first_ms);
	if (r->damaged)
		kprintf("torture aio: %lu words of quarantined contexts written after their free\n",
			r->damaged);
	if (aio_torture.type == AIO_TORTURE_FREE_AT_ONCE)
		kprintf("torture aio: %llu freed contexts were kept in quarantine until now\n",
			(unsigned long long)q.held);
}

static void check_end(const struct aio_stats *start, struct aio_torture_result *r)
{
	struct aio_stats s;
	unsigned int damaged;

	if (!settle())
		error("frees still pending 5 s after the end", 0);
	release_quarantine(r);
	s = aio_get_stats();
	if (s.aio_nr != start->aio_nr)
		error("aio_nr did not come back to its start",
		      (long long)(s.aio_nr - start->aio_nr));
	if (s.contexts != start->contexts || s.allocated != start->allocated)
		error("contexts left allocated", (long long)(s.allocated - start->allocated));
	damaged = kioctx_poison_damage();
	if (damaged)
		error("freed contexts written after their free", damaged);
	kprintf("torture aio: %llu grace-period retries in io_setup, %llu of them still EAGAIN\n",
		(unsigned long long)(s.gp_retries - start->gp_retries),
		(unsigned long long)(s.gp_retry_failures - start->gp_retry_failures));
}

/* The delay points of both lookups (fs/aio.c, fs/aio_variants.c) and the updaters': on, or off. */
static void delays_on(void)
{
	delay_point_set(dp_lookup_ioctx_found.name, LOOKUP_US, 1);
	delay_point_set(dp_lookup_rwlock_found.name, LOOKUP_US, RWLOCK_EVERY);
	delay_point_set(dp_victim.name, VICTIM_US, 1);
}

static void delays_off(void)
{
	delay_point_set(dp_lookup_ioctx_found.name, 0, 0);
	delay_point_set(dp_lookup_rwlock_found.name, 0, 0);
	delay_point_set(dp_victim.name, 0, 0);
}

/* Lookups that waited at their delay point. */
static uint64_t delay_hits(void)
{
	return (uint64_t)(atomic64_read(&dp_lookup_ioctx_found.hits) +
			  atomic64_read(&dp_lookup_rwlock_found.hits));
}

/* Milliseconds since the run started. */
static unsigned int run_ms(void)
{
	return (unsigned int)((ktime_ns() - aio_torture.err.start_ns) / 1000000);
}

/* An error seen so far: the threads' own, or a walk on a quarantined context. */
static bool caught(void)
{
	return atomic64_read(&aio_torture.err.count) > 0 ||
	       kioctx_quarantine_get_stats().reached > 0;
}

/* Lets the threads run for ms (by the clock: a sleep may end late), turning the delay points
   on at delays_at_ms, with a progress line every second for AIO_TORTURE_VERBOSE, and ending
   CAUGHT_MARGIN_MS after the first error for AIO_TORTURE_UNTIL_CAUGHT. True if Ctrl-C
   stopped it. */
static bool watch(unsigned int ms, unsigned int delays_at_ms, unsigned int flags)
{
	bool verbose = flags & AIO_TORTURE_VERBOSE, on = false;
	unsigned int reported = 0, t;

	while ((t = run_ms()) < ms) {
		if ((flags & AIO_TORTURE_UNTIL_CAUGHT) && caught() && ms > t + CAUGHT_MARGIN_MS)
			ms = t + CAUGHT_MARGIN_MS;
		if (!on && t >= delays_at_ms) {
			on = true;
			delays_on();
			if (verbose && t)
				kprintf("torture aio: %u ms: delay points on: %s %u us, %s %u us "
					"(one pass in %u), %s %u us\n",
					t, dp_lookup_ioctx_found.name, LOOKUP_US,
					dp_lookup_rwlock_found.name, LOOKUP_US, RWLOCK_EVERY,
					dp_victim.name, VICTIM_US);
		}
		msleep(10);
		if (console_interrupted())
			return true;
		if (verbose && run_ms() / 1000 > reported) {
			char when[24];

			snprintf(when, sizeof(when), "%us: ", ++reported);
			report(when);
		}
	}
	return false;
}

/* Starts fn on each of n threads (bound to CPU i when bind); returns how many started. */
static unsigned int start_threads(struct thread **th, unsigned int n, int (*fn)(void *),
				  void *(*arg)(unsigned int i), const char *name, bool bind)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		th[i] = kthread_create(fn, arg(i), "%s/%u", name, i);
		if (!th[i])
			break;
		if (bind)
			kthread_bind(th[i], i);
		wake_up_new_thread(th[i]);
	}
	return i;
}

static aio_context_t io_ids[NR_CPUS];

static void *index_arg(unsigned int i)
{
	return (void *)(uintptr_t)i;
}

static void *io_arg(unsigned int i)
{
	return (void *)(uintptr_t)io_ids[i];
}

/* Fills *r from the counts of the run that just ended: the threads' errors and the ones
   release_quarantine() put in *r, with the time of the first of them all. */
static void fill_result(struct aio_torture_result *r, uint64_t ms, bool stopped)
{
	long long thread_errors = atomic64_read(&aio_torture.err.count);
	uint64_t first_ms = torture_errors_first_ms(&aio_torture.err);

	r->errors = thread_errors + (long long)(r->reached + r->damaged);
	if (thread_errors && (!r->reached || first_ms < r->first_ms))
		r->first_ms = first_ms;
	r->rwlock_errors = atomic64_read(&aio_torture.rwlock_errors);
	r->lookups = (uint64_t)atomic64_read(&aio_torture.lookups);
	r->rwlock_lookups = (uint64_t)atomic64_read(&aio_torture.rwlock_lookups);
	r->destroys = (uint64_t)atomic64_read(&aio_torture.destroys);
	r->ms = ms;
	r->stopped = stopped;
}

int aio_torture_run(enum aio_torture_type type, unsigned int ms, unsigned int delays_at_ms,
		    unsigned int flags, struct aio_torture_result *r)
{
	static struct thread *th[MAX_THREADS];
	unsigned int cpus = num_online_cpus(), n = 0, i;
	struct aio_stats start;
	bool stopped;
	int err = 0;

	memset(r, 0, sizeof(*r));
	if (type == AIO_TORTURE_FREE_AT_ONCE && cpus < 2)
		return -ENODEV;
	memset((void *)&aio_torture, 0, sizeof(aio_torture));
	aio_torture.mm = mm_alloc("torture-aio");
	if (!aio_torture.mm)
		return -ENOMEM;
	aio_torture.type = type;
	/* the rwlock lookups; and free-at-once, broken on purpose */
	ioctx_variants_attach(aio_torture.mm,
			      type == AIO_TORTURE_FREE_AT_ONCE ? IOCTX_FREE_AT_ONCE : IOCTX_RCU);
	aio_torture.nr_updaters = cpus / 2 ? cpus / 2 : 1;
	settle();
	start = aio_get_stats();
	for (i = 0; i < cpus && !err; i++)
		err = io_setup(aio_torture.mm, IO_RING, &io_ids[i]);
	/*
	 * Room for the live contexts (SLOTS * MAX_EVENTS at most) and about 4096 events of
	 * contexts destroyed and not yet freed: an updater that destroys and sets up faster than
	 * grace periods free them meets the limit, and io_setup's retry after a grace period runs.
	 */
	aio_set_max_nr(start.aio_nr + cpus * IO_RING + SLOTS * MAX_EVENTS + 4096);
	torture_errors_start(&aio_torture.err);
	if (!err) {
		n += start_threads(th + n, aio_torture.nr_updaters, updater, index_arg, "t-aio-upd",
				   false);
		n += start_threads(th + n, cpus, reader, index_arg, "t-aio-look", true);
		n += start_threads(th + n, cpus, io_thread, io_arg, "t-aio-io", false);
		if (n < aio_torture.nr_updaters + 2 * cpus)
			err = -ENOMEM;
	}
	if (flags & AIO_TORTURE_VERBOSE)
		kprintf("torture aio: %u updaters, %u readers, %u I/O threads for %u ms\n",
			aio_torture.nr_updaters, cpus, cpus, ms);
	stopped = err ? false : watch(ms, delays_at_ms, flags);
	WRITE_ONCE(aio_torture.stop, true);
	ms = run_ms();
	while (n--)
		kthread_join(th[n]);
	r->delay_hits = delay_hits();
	delays_off();
	exit_aio(aio_torture.mm);
	ioctx_variants_detach(aio_torture.mm);
	mmput(aio_torture.mm);
	aio_set_max_nr(start.aio_max_nr);
	if (err) {
		settle();
		release_quarantine(r);
		return err;
	}
	check_end(&start, r);
	fill_result(r, ms, stopped);
	report("end: ");
	return 0;
}

static const struct torture_broken aio_broken[] = {
	{.name = "free-at-once",
	 .removes = "a destroyed context freed at once, without its grace period: a "
		    "lookup must be seen reading a freed context"},
	{.name = NULL},
};

/* The self-check's and --broken's run of variant v of aio_broken[] (torture_broken_fn). */
static int aio_broken_run(unsigned int v, unsigned int ms, struct torture_broken_result *res)
{
	struct aio_torture_result r;
	int err;

	(void)v; /* one variant: free-at-once */
	err = aio_torture_run(AIO_TORTURE_FREE_AT_ONCE, ms, 0, 0, &r);
	res->errors = r.errors;
	res->first_ms = r.first_ms;
	res->ms = r.ms;
	if (!err && r.rwlock_errors)
		kprintf("torture aio: %lld errors in rwlock lookups: the rwlock \"before\" needs "
			"no grace period and must stay clean\n",
			r.rwlock_errors);
	return err;
}

static int torture_aio_cmd(int argc, char **argv)
{
	struct torture_opts o = {0};
	struct aio_torture_result r;
	int not_caught = 0, err;

	if (torture_parse(argc, argv, &o))
		return -EINVAL;
	if (o.broken)
		return torture_run_broken("aio", aio_broken, o.broken, o.seconds, aio_broken_run);
	/* The real mechanism, the second half with the broken variant's delay points on. */
	err = aio_torture_run(AIO_TORTURE_REAL, o.seconds * 1000, o.seconds * 1000 / 2,
			      AIO_TORTURE_VERBOSE, &r);
	if (err) {
		kprintf("torture aio: could not start: %s\n", errno_name(err));
		return 0;
	}
	if (!r.stopped)
		not_caught = torture_self_check("aio", aio_broken, SELF_CHECK_MS, aio_broken_run);
	torture_verdict_checked("aio", r.stopped, r.errors, not_caught);
	return 0;
}
TORTURE_WITH_BROKEN("aio", "[--seconds S] [--broken free-at-once]",
		    "aio contexts set up, looked up and destroyed from every CPU, with I/O round "
		    "trips; then the self-check: contexts freed without a grace period must be "
		    "caught",
		    torture_aio_cmd, aio_broken);
