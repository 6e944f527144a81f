/*
 * The `aio` shell command: the counters of fs/aio.c and every mm's contexts, and a few
 * calls to try by hand on the shell's own mm (docs/aio.md shows a session):
 *
 *	aio			counters, then each mm and its contexts
 *	aio setup N		io_setup with N events; prints the id
 *	aio destroy ID		io_destroy
 *	aio io ID		a write, a NOOP and a read through context ID, with their events
 *	aio max N		sets aio_max_nr (0: back to the default)
 *	aio churn [N]		N io_destroy + io_setup pairs at the aio_max_nr limit, on the
 *				lockless lookup and on the rwlock "before": the aio_nr accounting
 */
#include "fs/aio.h"
#include "fs/syscalls.h"
#include "mm/mm.h"
#include "kernel/rcu/rcu.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/string.h"

#define CHURN_EVENTS  8	 /* events of the churned context */
#define CHURN_DEFAULT 20 /* pairs when N is not given */
#define CHURN_MAX     10000

static struct mm *shell_mm; /* made at the first use, kept for the shell's lifetime */

static struct mm *shell_mm_get(void)
{
	if (!shell_mm)
		shell_mm = mm_alloc("shell-aio");
	return shell_mm;
}

static void print_ctx(struct mm *mm, struct kioctx *ctx, void *arg)
{
	(void)arg;
	if (!ctx) {
		if (hlist_empty(&mm->ioctx_list))
			return;
		kprintf("mm %s:%s\n", mm->name, hlist_empty(&mm->ioctx_list) ? " no contexts" : "");
		return;
	}
	kprintf("  id %-8llu events %-5u users %-3d in ring %-4u in flight %d%s\n",
		(unsigned long long)ctx->user_id, ctx->max_reqs, atomic_read(&ctx->users),
		aio_ring_count(&ctx->ring), atomic_read(&ctx->reqs_active),
		READ_ONCE(ctx->dead) ? " dead" : "");
}

static void show(void)
{
	struct aio_stats s = aio_get_stats();

	kprintf("aio_nr %llu of aio_max_nr %llu (%llu of it held by destroyed contexts not yet "
		"freed)\n",
		(unsigned long long)s.aio_nr, (unsigned long long)s.aio_max_nr,
		(unsigned long long)s.aio_nr_pending);
	kprintf("%llu contexts (%llu created, %llu destroyed, %llu freed: %llu after a grace "
		"period, %llu at once; %llu allocated)\n",
		(unsigned long long)s.contexts, (unsigned long long)s.created,
		(unsigned long long)s.destroyed, (unsigned long long)s.freed,
		(unsigned long long)(s.freed - s.freed_at_once),
		(unsigned long long)s.freed_at_once, (unsigned long long)s.allocated);
	kprintf("lookups %llu (%llu missed); io_setup retries after a grace period %llu (%llu "
		"still EAGAIN)\n",
		(unsigned long long)s.lookups, (unsigned long long)s.lookup_misses,
		(unsigned long long)s.gp_retries, (unsigned long long)s.gp_retry_failures);
	kprintf("requests %llu submitted, %llu completed; %u workers; io_destroy waited for "
		"requests in flight %llu times\n",
		(unsigned long long)s.submitted, (unsigned long long)s.completed, aio_nr_workers(),
		(unsigned long long)s.destroy_waits);
	aio_for_each_ctx(print_ctx, NULL);
}

static const char *const op_names[] = {
	[IOCB_CMD_PREAD] = "PREAD",
	[IOCB_CMD_PWRITE] = "PWRITE",
	[IOCB_CMD_NOOP] = "NOOP",
};

/* Returns the events reaped (all of them, unless 1 s passed), or io_submit's error. */
static long submit_wait(aio_context_t id, struct iocb **cbs, long nr, struct io_event *ev)
{
	long n = io_submit(shell_mm, id, nr, cbs);

	return n < 0 ? n : io_getevents(shell_mm, id, n, n, ev, 1000);
}

/* A write and a NOOP, then a read of the same bytes of a fresh tmpfs file (/tmp/aio-shell,
   removed after). The read waits for the write's event: submitted together, another worker
   could run it first. */
static int try_io(aio_context_t id)
{
	static const char msg[] = "hello, aio";
	char buf[sizeof(msg)] = {0};
	int fd = sys_open("/tmp/aio-shell", O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct iocb w = {.aio_data = 1,
			 .aio_lio_opcode = IOCB_CMD_PWRITE,
			 .aio_buf = (void *)msg,
			 .aio_nbytes = sizeof(msg),
			 .aio_offset = 8};
	struct iocb nop = {.aio_data = 2, .aio_lio_opcode = IOCB_CMD_NOOP};
	struct iocb r = {.aio_data = 3,
			 .aio_lio_opcode = IOCB_CMD_PREAD,
			 .aio_buf = buf,
			 .aio_nbytes = sizeof(buf),
			 .aio_offset = 8};
	struct iocb *cbs[3] = {&w, &nop, &r};
	struct io_event ev[3];
	long got, n;

	if (fd < 0)
		return fd;
	w.aio_fildes = r.aio_fildes = fd;
	got = submit_wait(id, cbs, 2, ev);
	if (got == 2) {
		n = submit_wait(id, &cbs[2], 1, &ev[2]);
		got = n < 0 ? n : got + n;
	}
	for (long i = 0; i < got; i++) {
		const struct iocb *cb = (const struct iocb *)(uintptr_t)ev[i].obj;

		kprintf("  event data %llu %-6s res %lld\n", (unsigned long long)ev[i].data,
			op_names[cb->aio_lio_opcode], (long long)ev[i].res);
	}
	if (got == 3)
		kprintf("  read back \"%s\"\n", buf);
	sys_close(fd);
	sys_unlink("/tmp/aio-shell");
	return got < 0 ? (int)got : got == 3 ? 0 : -EIO;
}

/* What one variant's churn measured. */
struct churn_result {
	unsigned int pairs;
	uint64_t ns;	  /* all pairs together */
	uint64_t held;	  /* events still in aio_nr right after io_destroy, all pairs together */
	uint64_t retries; /* io_setup waited for pending frees */
	uint64_t at_once; /* contexts freed at their io_destroy */
};

/*
 * n io_destroy + io_setup pairs of one CHURN_EVENTS context, on a fresh mm attached as
 * variant, with aio_max_nr leaving room for that context alone. Returns 0 or an errno.
 */
static int churn_one(enum ioctx_variant variant, unsigned int n, struct churn_result *r)
{
	struct mm *mm = mm_alloc("shell-churn");
	struct aio_stats start, s;
	aio_context_t id;
	int err;

	memset(r, 0, sizeof(*r));
	if (!mm)
		return -ENOMEM;
	ioctx_variants_attach(mm, variant);
	rcu_barrier(); /* no earlier free pending: aio_nr counts live contexts only */
	start = aio_get_stats();
	aio_set_max_nr(start.aio_nr + CHURN_EVENTS);
	err = io_setup(mm, CHURN_EVENTS, &id);
	for (; !err && r->pairs < n; r->pairs++) {
		uint64_t t0 = ktime_ns();

		err = io_destroy(mm, id);
		r->held += aio_get_stats().aio_nr - start.aio_nr;
		if (!err)
			err = io_setup(mm, CHURN_EVENTS, &id);
		r->ns += ktime_ns() - t0;
	}
	s = aio_get_stats();
	r->retries = s.gp_retries - start.gp_retries;
	r->at_once = s.freed_at_once - start.freed_at_once;
	aio_set_max_nr(start.aio_max_nr);
	exit_aio(mm);
	ioctx_variants_detach(mm);
	mmput(mm);
	rcu_barrier();
	return err;
}

/* `aio churn [N]`: the two variants side by side, in this boot. */
static int churn(unsigned int n)
{
	static const struct {
		const char *name;
		enum ioctx_variant variant;
	} v[] = {{"rcu", IOCTX_RCU}, {"rwlock", IOCTX_RWLOCK}};

	kprintf("aio churn: %u io_destroy + io_setup pairs of a %d-event context, aio_max_nr "
		"leaving room for it alone\n",
		n, CHURN_EVENTS);
	kprintf("  variant  us/pair  setup retries  in aio_nr after io_destroy  freed at once\n");
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct churn_result r;
		int err = churn_one(v[i].variant, n, &r);

		if (err)
			return err;
		kprintf("  %-7s  %7llu  %13llu  %15llu.%llu of %d events  %13llu\n", v[i].name,
			(unsigned long long)(r.ns / 1000 / r.pairs), (unsigned long long)r.retries,
			(unsigned long long)(r.held / r.pairs),
			(unsigned long long)(r.held * 10 / r.pairs % 10), CHURN_EVENTS,
			(unsigned long long)r.at_once);
	}
	return 0;
}

static int cmd_aio(int argc, char **argv)
{
	unsigned long long n = 0;
	aio_context_t id;
	int err;

	if (argc == 1) {
		show();
		return 0;
	}
	if (strcmp(argv[1], "churn") == 0) {
		n = CHURN_DEFAULT;
		if (argc > 3 || (argc == 3 && parse_u64(argv[2], &n, 10, 0)) || n == 0 ||
		    n > CHURN_MAX)
			return shell_usage(argv[0]);
		return churn((unsigned int)n);
	}
	if (argc != 3 || parse_u64(argv[2], &n, 10, 0))
		return shell_usage(argv[0]);
	if (!shell_mm_get())
		return -ENOMEM;
	if (strcmp(argv[1], "setup") == 0) {
		struct aio_stats before = aio_get_stats();

		err = io_setup(shell_mm, n > 0xffffffffull ? 0 : (unsigned int)n, &id);
		if (aio_get_stats().gp_retries != before.gp_retries)
			kprintf("aio: at aio_max_nr: waited for pending frees (a grace period) and "
				"tried again\n");
		if (!err)
			kprintf("aio: context %llu\n", (unsigned long long)id);
	} else if (strcmp(argv[1], "destroy") == 0) {
		err = io_destroy(shell_mm, n);
	} else if (strcmp(argv[1], "io") == 0) {
		err = try_io(n);
	} else if (strcmp(argv[1], "max") == 0) {
		aio_set_max_nr(n ? n : AIO_MAX_NR_DEFAULT);
		err = 0;
	} else {
		return shell_usage(argv[0]);
	}
	return err; /* the shell prints the error */
}
SHELL_COMMAND("aio", "[setup N | destroy ID | io ID | max N | churn [N]]",
	      "aio contexts: aio_nr, lookups, grace-period retries; set up and use one; "
	      "churn: io_setup at the limit, lockless vs rwlock",
	      cmd_aio);
