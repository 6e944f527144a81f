/*
 * The `aio` shell command: the counters of fs/aio.c and every mm's contexts, and a few
 * calls to try by hand on the shell's own mm (docs/aio.md shows a session):
 *
 *	aio			counters, then each owner and its contexts
 *	aio setup N		io_setup with N events; prints the id
 *	aio destroy ID		io_destroy
 *	aio io ID		a write, a NOOP and a read through context ID, with their events
 *	aio max N		sets aio_max_nr (0: back to the default)
 */
#include "fs/aio.h"
#include "fs/syscalls.h"
#include "mm/mm.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

static struct mm *shell_mm; /* made at the first use, kept for the shell's lifetime */

static struct mm *shell_owner(void)
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
	kprintf("  id %-8llu events %-5u users %-3d in ring %u%s\n",
		(unsigned long long)ctx->user_id, ctx->max_reqs, atomic_read(&ctx->users),
		aio_ring_count(&ctx->ring), READ_ONCE(ctx->dead) ? " dead" : "");
}

static void show(void)
{
	struct aio_stats s = aio_get_stats();

	kprintf("aio_nr %llu of aio_max_nr %llu; %llu contexts (%llu created, %llu destroyed, "
		"%llu freed after a grace period, %llu allocated)\n",
		(unsigned long long)s.aio_nr, (unsigned long long)s.aio_max_nr,
		(unsigned long long)s.contexts, (unsigned long long)s.created,
		(unsigned long long)s.destroyed, (unsigned long long)s.freed,
		(unsigned long long)s.allocated);
	kprintf("lookups %llu (%llu missed); io_setup retries after a grace period %llu (%llu "
		"still EAGAIN)\n",
		(unsigned long long)s.lookups, (unsigned long long)s.lookup_misses,
		(unsigned long long)s.gp_retries, (unsigned long long)s.gp_retry_failures);
	kprintf("requests %llu submitted, %llu completed; %u workers\n",
		(unsigned long long)s.submitted, (unsigned long long)s.completed, aio_nr_workers());
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

static int cmd_aio(int argc, char **argv)
{
	unsigned long long n = 0;
	aio_context_t id;
	int err;

	if (argc == 1) {
		show();
		return 0;
	}
	if (argc != 3 || parse_u64(argv[2], &n, 10, 0))
		return shell_usage(argv[0]);
	if (!shell_owner())
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
SHELL_COMMAND("aio", "[setup N | destroy ID | io ID | max N]",
	      "aio contexts: aio_nr, lookups, grace-period retries; set up and use one", cmd_aio);
