/*
 * Reading the console as a canonical terminal does (the basics of Linux's n_tty line
 * discipline, drivers/tty/n_tty.c): bytes are gathered into a line, echoed as they are typed,
 * and handed to readers only once Enter ends the line.
 *
 *	Enter (CR or LF)	ends the line; it reads as '\n'
 *	Backspace, DEL		erases the last byte typed (on the screen too)
 *	Ctrl-D			at the start of a line: end of file (read returns 0);
 *				later: ends the line without a '\n'
 *	Ctrl-C			drops the line; read returns -EINTR and console_interrupted()
 *				stays true for the shell, which stops the foreground program
 *
 * A line longer than a read's buffer is handed out over several reads. One reader edits at a
 * time (ldisc_lock); a second waits its turn. No echo or editing happens while nobody reads:
 * the bytes wait in the input ring (kernel/console_input.c).
 *
 * Lock order: ldisc_lock (a mutex: the reader sleeps holding it), then console_lock (printk's,
 * taken with interrupts off for each echo). The input ring's input_lock is taken and dropped
 * inside console_getc_nonblock, under ldisc_lock alone.
 */
#include "drivers/tty/tty.h"
#include "kernel/console_input.h"
#include "kernel/locking/mutex.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define CTRL_C 0x03
#define CTRL_D 0x04
#define BS     0x08
#define DEL    0x7f

static DEFINE_MUTEX(ldisc_lock); /* one reader at a time; guards ldisc */
static struct {
	char line[TTY_LINE_MAX];
	size_t len, off; /* the line, and how much of it reads have taken */
} ldisc;

static void echo(const char *s)
{
	console_write_locked(s, strlen(s));
}

/*
 * The next byte typed, waiting for it. This is the one sleep of a read that can last: when the
 * process layer provides fatal_signal_pending (kernel/process.h), its check belongs in this
 * loop, returning -EINTR before each wait.
 */
/* The next typed byte, or -EINTR when the reading process is being killed. */
static int tty_getc(void)
{
	int c;

	while ((c = console_getc_nonblock()) < 0)
		if (console_wait_for_input_killable())
			return -EINTR;
	return c;
}

/* Edits one line into ldisc.line: its length (with the '\n' when Enter ended it), 0 for an
   end of file, or -EINTR for a Ctrl-C. ldisc_lock held. */
static ssize_t edit_line(void)
{
	ldisc.len = ldisc.off = 0;
	for (;;) {
		int c = tty_getc();

		if (c < 0)
			return c; /* killed: the line so far is lost with the process */
		if (c == '\r' || c == '\n') {
			ldisc.line[ldisc.len++] = '\n';
			echo("\n");
			return (ssize_t)ldisc.len;
		} else if (c == BS || c == DEL) {
			if (ldisc.len) {
				ldisc.len--;
				echo("\b \b");
			}
		} else if (c == CTRL_D) {
			return (ssize_t)ldisc.len; /* 0 at a line's start: end of file */
		} else if (c == CTRL_C) {
			ldisc.len = 0;
			echo("^C\n");
			console_note_interrupt(); /* taking the byte cleared it: the shell's */
			return -EINTR;
		} else if ((c >= ' ' || c == '\t') && ldisc.len < TTY_LINE_MAX - 1) {
			char s[2] = {(char)c, '\0'};

			ldisc.line[ldisc.len++] = (char)c;
			echo(s);
		}
	}
}

/*
 * Reads up to n bytes of typed input into buf: the rest of the line an earlier read left, or a
 * new line, waiting for Enter. Returns the bytes read, 0 for an end of file (Ctrl-D at a line's
 * start, or n == 0), or -EINTR (Ctrl-C). Sleeps; thread context with interrupts enabled.
 */
ssize_t n_tty_read(char *buf, size_t n)
{
	ssize_t got = 0;
	size_t take;

	if (!n)
		return 0;
	mutex_lock(&ldisc_lock);
	if (ldisc.off == ldisc.len)
		got = edit_line();
	if (got >= 0) {
		take = ldisc.len - ldisc.off < n ? ldisc.len - ldisc.off : n;
		memcpy(buf, ldisc.line + ldisc.off, take);
		ldisc.off += take;
		got = (ssize_t)take;
	}
	mutex_unlock(&ldisc_lock);
	return got;
}
