/*
 * printk and the log ring. Each message is formatted into a line buffer, stamped with the time
 * since power-on, appended to a byte ring (the oldest lines are overwritten when it is full) and,
 * if its level passes console_loglevel, written to the serial console.
 *
 * A partial line (no '\n' at the end) stays in the line buffer until the next printk completes
 * it, so printk("a"); printk("b\n"); gives one line, as in Linux.
 *
 * SMP: console_lock (taken with interrupts off) serialises the line buffer, the ring and the
 * serial port, so lines from different CPUs never mix within a line. Once a panic has begun, the
 * lock is skipped: the panicking CPU may have been stopped inside printk, or another CPU may
 * hold the lock and never release it; the other CPUs are being stopped one at a time anyway.
 */
#include "kernel/printk.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/tsc.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "kernel/locking/spinlock.h"

#define LOG_RING_SIZE (64 * 1024)
#define LINE_MAX      512

int console_loglevel = 7;

static char ring[LOG_RING_SIZE];
static size_t ring_head;	/* total bytes ever written; ring[head % size] is next */
static char line[LINE_MAX];
static size_t line_len;
static int line_level = -1;	/* level of the line being built, -1 if none */
static DEFINE_SPINLOCK(console_lock);
static bool panic_mode;

void console_panic_mode(void)
{
	WRITE_ONCE(panic_mode, true);
}

static unsigned long console_lock_irqsave(void)
{
	unsigned long flags = local_irq_save();
	if (!READ_ONCE(panic_mode))
		spin_lock(&console_lock);
	return flags;
}

static void console_unlock_irqrestore(unsigned long flags)
{
	if (spin_held_by_me(&console_lock))
		spin_unlock(&console_lock);
	local_irq_restore(flags);
}

void console_write(const char *s, size_t n)
{
	serial_write(s, n);
}

/*
 * Writes n bytes to the console as they are (no level, not in the log ring), under
 * console_lock: no printk line and no other caller's bytes come between them. For
 * /dev/console's write and echo.
 */
void console_write_locked(const char *s, size_t n)
{
	unsigned long flags = console_lock_irqsave();

	console_write(s, n);
	console_unlock_irqrestore(flags);
}

static void ring_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ring[(ring_head + i) % LOG_RING_SIZE] = s[i];
	ring_head += n;
}

static void flush_line(void)
{
	char stamp[32];
	uint64_t ns = ktime_ns();
	int n = snprintf(stamp, sizeof(stamp), "[%5llu.%06llu] ", (unsigned long long)(ns / 1000000000),
			 (unsigned long long)(ns / 1000 % 1000000));

	ring_write(stamp, (size_t)n);
	ring_write(line, line_len);
	ring_write("\n", 1);
	if (line_level <= console_loglevel) {
		console_write(stamp, (size_t)n);
		console_write(line, line_len);
		console_write("\n", 1);
	}
	line_len = 0;
	line_level = -1;
}

static void line_sink(void *ctx, char c)
{
	(void)ctx;
	if (c == '\n') {
		flush_line();
		return;
	}
	if (line_len == LINE_MAX - 1)
		flush_line();	/* an over-long line is split, never dropped */
	line[line_len++] = c;
}

int vprintk(const char *fmt, va_list ap)
{
	int level = LOGLEVEL_DEFAULT, n;
	unsigned long flags;

	if (fmt[0] == KERN_SOH[0] && fmt[1] >= '0' && fmt[1] <= '7') {
		level = fmt[1] - '0';
		fmt += 2;
	}
	flags = console_lock_irqsave();
	if (line_level < 0 || line_len == 0)
		line_level = level;
	n = format(line_sink, NULL, fmt, ap);
	console_unlock_irqrestore(flags);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

static void console_sink(void *ctx, char c)
{
	(void)ctx;
	console_write(&c, 1);
}

int vkprintf(const char *fmt, va_list ap)
{
	unsigned long flags = console_lock_irqsave();
	int n = format(console_sink, NULL, fmt, ap);
	console_unlock_irqrestore(flags);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}

void dmesg_print(void)
{
	unsigned long flags = console_lock_irqsave();
	size_t start = ring_head > LOG_RING_SIZE ? ring_head - LOG_RING_SIZE : 0;

	/* After a wrap the oldest bytes are the tail of a line: start at the next whole line. */
	if (start) {
		while (start < ring_head && ring[start % LOG_RING_SIZE] != '\n')
			start++;
		start++;
	}
	for (size_t i = start; i < ring_head; i++)
		console_write(&ring[i % LOG_RING_SIZE], 1);
	console_unlock_irqrestore(flags);
}

size_t dmesg_dropped(void)
{
	return ring_head > LOG_RING_SIZE ? ring_head - LOG_RING_SIZE : 0;
}
