/*
 * A bounded text buffer to print into, as Linux's lib/seq_buf.c: the /proc files build their
 * text in one (fs/proc/). Printing past the end sets the overflow mark and keeps what fitted,
 * so the caller can try again with a bigger buffer.
 */
#ifndef LIB_SEQ_BUF_H
#define LIB_SEQ_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include "lib/compiler.h"

struct seq_buf {
	char *buffer;
	size_t size; /* bytes of buffer */
	size_t len;  /* bytes used; size + 1 once something did not fit */
};

void seq_buf_init(struct seq_buf *s, char *buf, size_t size);
int seq_buf_printf(struct seq_buf *s, const char *fmt, ...) __printf(2, 3);
int seq_buf_putc(struct seq_buf *s, char c);

static inline bool seq_buf_has_overflowed(const struct seq_buf *s)
{
	return s->len > s->size;
}

/* The bytes printed, at most size. */
static inline size_t seq_buf_used(const struct seq_buf *s)
{
	return s->len > s->size ? s->size : s->len;
}

#endif
