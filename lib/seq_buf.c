/* A bounded text buffer (see seq_buf.h). */
#include "lib/seq_buf.h"
#include "lib/printf.h"

/* An empty buffer over buf[0..size). */
void seq_buf_init(struct seq_buf *s, char *buf, size_t size)
{
	s->buffer = buf;
	s->size = size;
	s->len = 0;
}

/*
 * Appends the formatted text if all of it fits: 0; else marks the buffer overflowed, leaves
 * its contents as they were, and returns -1.
 */
int seq_buf_printf(struct seq_buf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (seq_buf_has_overflowed(s))
		return -1;
	va_start(ap, fmt);
	/* vsnprintf writes a NUL after the text: it needs one byte beyond what we keep. */
	n = vsnprintf(s->buffer + s->len, s->size - s->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= s->size - s->len) {
		s->len = s->size + 1;
		return -1;
	}
	s->len += (size_t)n;
	return 0;
}

/* Appends c: 0, or -1 and the overflow mark. */
int seq_buf_putc(struct seq_buf *s, char c)
{
	if (s->len >= s->size) {
		s->len = s->size + 1;
		return -1;
	}
	s->buffer[s->len++] = c;
	return 0;
}
