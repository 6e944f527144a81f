/*
 * /proc/sys/fs/aio-nr and aio-max-nr: the events io_setup has handed out and their limit
 * (fs/aio.c), as Linux's fs.aio-nr and fs.aio-max-nr sysctls. A write of a decimal to
 * aio-max-nr sets the limit io_setup's reservation checks; what it takes and refuses is
 * Linux's proc_doulongvec_minmax's: leading blanks, one unsigned decimal, then a blank or the
 * end; anything else (a sign, a letter right after the digits, no digits, a number past
 * 64 bits) is -EINVAL and changes nothing.
 */
#include "fs/proc/internal.h"
#include "fs/aio.h"
#include "lib/errno.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

int proc_aio_nr_show(struct seq_buf *s, int pid)
{
	(void)pid;
	seq_buf_printf(s, "%llu\n", (unsigned long long)aio_get_stats().aio_nr);
	return 0;
}

int proc_aio_max_nr_show(struct seq_buf *s, int pid)
{
	(void)pid;
	seq_buf_printf(s, "%llu\n", (unsigned long long)aio_get_stats().aio_max_nr);
	return 0;
}

/* aio-nr is read-only: Linux refuses its open for writing with EACCES; we refuse the write. */
ssize_t proc_aio_nr_write(const char *buf, size_t n)
{
	(void)buf;
	(void)n;
	return -EACCES;
}

/*
 * Parses buf[0..n) as above into *val: the bytes taken (the number and the blanks after it), or
 * -EINVAL.
 */
static ssize_t parse_ulong(const char *buf, size_t n, uint64_t *val)
{
	size_t i = 0, digits;
	uint64_t v = 0;

	while (i < n && is_blank(buf[i]))
		i++;
	for (digits = i; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) {
		unsigned int d = (unsigned int)(buf[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	if (i == digits || (i < n && !is_blank(buf[i])))
		return -EINVAL;
	while (i < n && is_blank(buf[i]))
		i++;
	*val = v;
	return (ssize_t)i;
}

/* A write to aio-max-nr: the new limit, for the next io_setup. An empty write takes nothing. */
ssize_t proc_aio_max_nr_write(const char *buf, size_t n)
{
	uint64_t v;
	ssize_t used;

	if (n == 0)
		return 0;
	if ((used = parse_ulong(buf, n, &v)) < 0)
		return used;
	aio_set_max_nr(v);
	return used;
}
