/* The `bench` shell command (kernel/bench/bench.h, docs/bench.md). */
#include "kernel/bench/bench.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include "lib/errno.h"

#define MAX_SECONDS 3600

static void list_benchmarks(void)
{
	kprintf("benchmarks:\n");
	for (const struct bench *b = bench_next(NULL); b; b = bench_next(b)) {
		kprintf("  %-10s %s; variants:", b->name, b->help);
		for (unsigned int i = 0; i < b->nr_variants; i++)
			kprintf(" %s", b->variants[i].name);
		kprintf("\n");
	}
}

/* "1,2,4" -> counts. Every count must be 1..online. */
static int parse_cpu_list(const char *s, struct bench_options *opt)
{
	char buf[64];
	char *p = buf;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return -EINVAL;
	opt->nr_cpus = 0;
	while (*p) {
		char *comma = strchr(p, ',');
		unsigned long long n;

		if (comma)
			*comma = 0;
		if (parse_u64(p, &n, 10, 0) || n == 0 || n > num_online_cpus() ||
		    opt->nr_cpus == BENCH_MAX_CPUS_LIST) {
			kprintf("bench: bad CPU count '%s' (1 to %u, comma-separated)\n", p,
				num_online_cpus());
			return -EINVAL;
		}
		opt->cpus[opt->nr_cpus++] = (unsigned int)n;
		p = comma ? comma + 1 : p + strlen(p);
	}
	return opt->nr_cpus ? 0 : -EINVAL;
}

static int parse_options(int argc, char **argv, struct bench_options *opt)
{
	for (int i = 2; i < argc; i++) {
		unsigned long long n;

		if (i + 1 >= argc)
			return -EINVAL;
		if (strcmp(argv[i], "--cpus") == 0) {
			if (parse_cpu_list(argv[++i], opt))
				return -EINVAL;
		} else if (strcmp(argv[i], "--seconds") == 0) {
			if (parse_u64(argv[++i], &n, 10, 0) || n == 0 || n > MAX_SECONDS) {
				kprintf("bench: --seconds takes 1 to %d\n", MAX_SECONDS);
				return -EINVAL;
			}
			opt->seconds = (unsigned int)n;
		} else if (strcmp(argv[i], "--repeat") == 0) {
			if (parse_u64(argv[++i], &n, 10, 0) || n == 0 || n > BENCH_MAX_REPEAT) {
				kprintf("bench: --repeat takes 1 to %d\n", BENCH_MAX_REPEAT);
				return -EINVAL;
			}
			opt->repeat = (unsigned int)n;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

static int cmd_bench(int argc, char **argv)
{
	struct bench_options opt = { .nr_cpus = 0, .seconds = 1, .repeat = 1 };
	const struct bench *b = NULL;
	int err;

	if (argc == 1) {
		shell_usage(argv[0]);
		list_benchmarks();
		return 0;
	}
	if (strcmp(argv[1], "all") != 0 && !(b = bench_find(argv[1]))) {
		kprintf("bench: no benchmark named %s\n", argv[1]);
		list_benchmarks();
		return -ENOENT;
	}
	if (parse_options(argc, argv, &opt))
		return shell_usage(argv[0]);
	if (b) {
		err = bench_run(b, &opt);
	} else {
		err = 0;
		for (b = bench_next(NULL); b && !err; b = bench_next(b))
			err = bench_run(b, &opt);
	}
	if (err == -EINTR)
		kprintf("bench: stopped by Ctrl-C\n");
	return err;
}
SHELL_COMMAND("bench", "NAME|all [--cpus 1,2,4] [--seconds S] [--repeat R]",
	      "run a benchmark's variants on 1, 2, 4... CPUs, R interleaved rounds reported as "
	      "their median (alone: list them)",
	      cmd_bench);
