/*
 * `torture aio`: every path of kernel/aio at once, for a fixed time, counting errors.
 *
 *  - updaters (half the CPUs, at least one) destroy and set up contexts in shared slots with
 *    random sizes, under an aio_max_nr lowered so that io_setup keeps reaching the limit: it
 *    waits for pending frees and retries, and sometimes still gets -EAGAIN (counted, not an
 *    error). A slot holds id << 1, with bit 0 set once io_destroy of that id has returned.
 *  - readers (one bound to each CPU) look up the ids in random slots, half of the time with
 *    the rwlock "before". Errors: a context found after its io_destroy returned, or one whose
 *    magic, id or owner is wrong. A walk that reaches a freed context panics (kioctx_check).
 *  - I/O threads (one per CPU) each write a pattern into their own in-memory file through
 *    their own context, read it back, fill the ring until -EAGAIN, and try a bad opcode.
 *    Errors: a wrong result, wrong data, a wrong error code, a missing event.
 * At the end every context is destroyed; then the frees must all have run, aio_nr and the
 * allocated contexts must be back where they started, and no freed context may have lost its
 * slab poison (a write after free).
 *
 * The threads share one owner: its ioctx_lock is the only lock taken here, inside kernel/aio.
 */
#include "kernel/torture/torture.h"
#include "kernel/aio/aio.h"
#include "kernel/aio/memfile.h"
#include "kernel/kthread.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/printk.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/string.h"

#define SLOTS	      32
#define MAX_EVENTS    16 /* an updater's contexts have 1..MAX_EVENTS events */
#define IO_RING	      4	 /* events of an I/O thread's context */
#define IO_FILE_SIZE  4096
#define IO_MAX_LEN    256
#define IO_TIMEOUT_MS 10000 /* an event later than this is an error */
#define MAX_THREADS   (3 * NR_CPUS)

static struct aio_torture {
	struct mm_aio mm;
	volatile uint64_t slots[SLOTS];
	unsigned int nr_updaters;
	volatile bool stop;
	atomic64_t setups, destroys, eagain, lookups, found, io_rounds, errors;
} T;

static uint32_t next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void error(const char *what, long long value)
{
	/* The first few are worth a line; a broken run would flood the console. */
	if (atomic64_add_return(1, &T.errors) <= 5)
		kprintf("torture aio: error: %s (%lld)\n", what, value);
}

/* Updater k owns the slots k, k + nr_updaters, ... */
static int updater(void *arg)
{
	unsigned int k = (unsigned int)(uintptr_t)arg;
	uint32_t rnd = 0x2545f491u * (k + 1);

	while (!READ_ONCE(T.stop)) {
		unsigned int slot =
			k + T.nr_updaters * (next_random(&rnd) % (SLOTS / T.nr_updaters));
		uint64_t w = T.slots[slot];
		aio_context_t id;
		int err;

		if (w && !(w & 1)) {
			err = io_destroy(&T.mm, w >> 1);
			if (err)
				error("io_destroy of a live context", err);
			atomic64_inc(&T.destroys);
			smp_store_release(&T.slots[slot], w | 1);
		}
		err = io_setup(&T.mm, 1 + next_random(&rnd) % MAX_EVENTS, &id);
		if (err == 0) {
			atomic64_inc(&T.setups);
			smp_store_release(&T.slots[slot], id << 1);
		} else if (err == -EAGAIN) {
			atomic64_inc(&T.eagain); /* at the limit: the slot stays empty for now */
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

	while (!READ_ONCE(T.stop)) {
		uint32_t r = next_random(&rnd);
		uint64_t w = smp_load_acquire(&T.slots[r % SLOTS]);
		aio_context_t id = w >> 1;
		struct kioctx *ctx;

		if (++n % 4096 == 0)
			yield(); /* the workers and I/O threads on this CPU go first */
		if (!id)
			continue;
		ctx = r & 0x10000 ? lookup_ioctx_rwlock(&T.mm, id) : lookup_ioctx(&T.mm, id);
		atomic64_inc(&T.lookups);
		if (!ctx)
			continue;
		atomic64_inc(&T.found);
		if (w & 1)
			error("lookup found a context after io_destroy returned", (long long)id);
		if (ctx->magic != KIOCTX_MAGIC || ctx->user_id != id || ctx->mm != &T.mm)
			error("lookup returned a wrong context", (long long)id);
		put_ioctx(ctx);
	}
	return 0;
}

/* Submits the batch and waits for all its events; false (and an error) if that fails. */
static bool submit_wait(aio_context_t id, struct iocb **cbs, long nr, struct io_event *ev)
{
	long got, n = io_submit(&T.mm, id, nr, cbs);

	if (n != nr) {
		error("io_submit", n);
		return false;
	}
	got = io_getevents(&T.mm, id, nr, nr, ev, IO_TIMEOUT_MS);
	if (got != nr) {
		error("io_getevents: events missing", got);
		return false;
	}
	return true;
}

/* One round: write a pattern and a NOOP, read the pattern back, compare. */
static bool io_round(aio_context_t id, struct memfile *f, uint32_t *rnd)
{
	char wbuf[IO_MAX_LEN], rbuf[IO_MAX_LEN];
	size_t len = 1 + next_random(rnd) % IO_MAX_LEN;
	int64_t off = next_random(rnd) % (IO_FILE_SIZE - IO_MAX_LEN);
	uint8_t seed = (uint8_t)next_random(rnd);
	struct iocb w = {.aio_data = 1,
			 .aio_lio_opcode = IOCB_CMD_PWRITE,
			 .aio_filp = &f->file,
			 .aio_buf = wbuf,
			 .aio_nbytes = len,
			 .aio_offset = off};
	struct iocb nop = {.aio_data = 2, .aio_lio_opcode = IOCB_CMD_NOOP};
	struct iocb r = {.aio_data = 3,
			 .aio_lio_opcode = IOCB_CMD_PREAD,
			 .aio_filp = &f->file,
			 .aio_buf = rbuf,
			 .aio_nbytes = len,
			 .aio_offset = off};
	struct iocb *batch[2] = {&w, &nop};
	struct io_event ev[2];

	for (size_t i = 0; i < len; i++)
		wbuf[i] = (char)(seed + i);
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
	n = io_submit(&T.mm, id, 1, &badp);
	if (n != -EOPNOTSUPP)
		error("bad opcode", n);
	n = io_submit(&T.mm, id, IO_RING + 1, cbs);
	if (n != IO_RING)
		error("filling the ring", n);
	n = io_submit(&T.mm, id, 1, cbs);
	if (n != -EAGAIN)
		error("submit to a full ring", n);
	n = io_getevents(&T.mm, id, IO_RING, IO_RING, ev, IO_TIMEOUT_MS);
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
	struct memfile *f = memfile_create(IO_FILE_SIZE);
	unsigned int n = 0;

	if (!f) {
		error("memfile_create", -ENOMEM);
		return 0;
	}
	while (!READ_ONCE(T.stop)) {
		/* After an error the ring may hold stale events: this thread stops checking. */
		if (!(++n % 16 == 0 ? full_ring(id) : io_round(id, f, &rnd)))
			break;
		atomic64_inc(&T.io_rounds);
	}
	memfile_free(f);
	return 0;
}

static void report(const char *when)
{
	kprintf("torture aio: %s%lld setups, %lld destroys, %lld EAGAIN, %lld lookups "
		"(%lld found), %lld I/O rounds, %lld errors\n",
		when, (long long)atomic64_read(&T.setups), (long long)atomic64_read(&T.destroys),
		(long long)atomic64_read(&T.eagain), (long long)atomic64_read(&T.lookups),
		(long long)atomic64_read(&T.found), (long long)atomic64_read(&T.io_rounds),
		(long long)atomic64_read(&T.errors));
}

static bool settle(void)
{
	return aio_wait_for_frees(5000);
}

static void check_end(const struct aio_stats *start)
{
	struct aio_stats s;
	unsigned int damaged;

	if (!settle())
		error("frees still pending 5 s after the end", 0);
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

static int torture_aio(unsigned int seconds)
{
	static struct thread *th[MAX_THREADS];
	unsigned int cpus = num_online_cpus(), n = 0, i;
	struct aio_stats start;
	bool stopped;
	int err = 0;

	memset((void *)&T, 0, sizeof(T));
	mm_aio_init(&T.mm, "torture");
	T.nr_updaters = cpus / 2 ? cpus / 2 : 1;
	settle();
	start = aio_get_stats();
	for (i = 0; i < cpus && !err; i++)
		err = io_setup(&T.mm, IO_RING, &io_ids[i]);
	/*
	 * Room for the live contexts (SLOTS * MAX_EVENTS at most) and about 4096 events of
	 * contexts destroyed and not yet freed: an updater that destroys and sets up faster than
	 * grace periods free them meets the limit, and io_setup's retry after a grace period runs.
	 */
	aio_set_max_nr(start.aio_nr + cpus * IO_RING + SLOTS * MAX_EVENTS + 4096);
	if (!err) {
		n += start_threads(th + n, T.nr_updaters, updater, index_arg, "t-aio-upd", false);
		n += start_threads(th + n, cpus, reader, index_arg, "t-aio-look", true);
		n += start_threads(th + n, cpus, io_thread, io_arg, "t-aio-io", false);
		if (n < T.nr_updaters + 2 * cpus)
			err = -ENOMEM;
	}
	kprintf("torture aio: %u updaters, %u readers, %u I/O threads for %u s\n", T.nr_updaters,
		cpus, cpus, seconds);
	stopped = err ? false : torture_watch(seconds, report);
	WRITE_ONCE(T.stop, true);
	while (n--)
		kthread_join(th[n]);
	exit_aio(&T.mm);
	aio_set_max_nr(start.aio_max_nr);
	if (err) {
		kprintf("torture aio: could not start: %s\n", errno_name(err));
		return 0;
	}
	check_end(&start);
	report("end: ");
	torture_verdict("aio", stopped, (long long)atomic64_read(&T.errors));
	return 0;
}

static int torture_aio_cmd(int argc, char **argv)
{
	unsigned int seconds;

	if (torture_parse_seconds_only(argc, argv, &seconds))
		return -EINVAL;
	return torture_aio(seconds);
}
TORTURE("aio", "[--seconds S]",
	"aio contexts set up, looked up and destroyed from every CPU, with I/O round trips",
	torture_aio_cmd);
