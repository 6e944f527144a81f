/*
 * printf core: parse one conversion spec at a time, turn the argument into digits in a small
 * buffer, then emit padding, sign, prefix, zeros, digits, in that order.
 */
#include "lib/printf.h"
#include "lib/string.h"

struct spec {
	bool left, zero, plus, space, alt;
	int width;	/* -1: none */
	int precision;	/* -1: none */
	int length;	/* 'H' hh, 'h', 0, 'l', 'L' ll, 'z', 't' */
};

struct out {
	format_sink_t sink;
	void *ctx;
	int count;
};

static void emit(struct out *o, char c)
{
	o->sink(o->ctx, c);
	o->count++;
}

static void emit_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	memset(s, 0, sizeof(*s));
	s->width = s->precision = -1;
	for (;; f++) {
		if (*f == '-') s->left = true;
		else if (*f == '0') s->zero = true;
		else if (*f == '+') s->plus = true;
		else if (*f == ' ') s->space = true;
		else if (*f == '#') s->alt = true;
		else break;
	}
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0)
			s->left = true, s->width = -s->width;
		f++;
	} else if (*f >= '0' && *f <= '9') {
		for (s->width = 0; *f >= '0' && *f <= '9'; f++)
			s->width = s->width * 10 + (*f - '0');
	}
	if (*f == '.') {
		f++;
		s->precision = 0;
		if (*f == '*') {
			s->precision = va_arg(*ap, int);
			if (s->precision < 0)
				s->precision = -1;
			f++;
		} else {
			for (; *f >= '0' && *f <= '9'; f++)
				s->precision = s->precision * 10 + (*f - '0');
		}
	}
	if (f[0] == 'h' && f[1] == 'h') s->length = 'H', f += 2;
	else if (f[0] == 'l' && f[1] == 'l') s->length = 'L', f += 2;
	else if (*f == 'h' || *f == 'l' || *f == 'z' || *f == 't') s->length = *f++;
	return f;
}

static unsigned long long arg_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned int);
	case 'h': return (unsigned short)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 't': return (unsigned long long)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static long long arg_signed(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return (long long)va_arg(*ap, size_t);
	case 't': return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

/* Emits a number whose digits (most significant first) are in digits[0..n). */
static void emit_number(struct out *o, const struct spec *s, const char *sign, const char *prefix,
			const char *digits, int n)
{
	int zeros = s->precision > n ? s->precision - n : 0;
	int body = (int)strlen(sign) + (int)strlen(prefix) + zeros + n;
	int pad = s->width > body ? s->width - body : 0;

	if (s->zero && !s->left && s->precision < 0)
		zeros += pad, pad = 0;
	if (!s->left)
		emit_n(o, ' ', pad);
	for (; *sign; sign++)
		emit(o, *sign);
	for (; *prefix; prefix++)
		emit(o, *prefix);
	emit_n(o, '0', zeros);
	for (int i = 0; i < n; i++)
		emit(o, digits[i]);
	if (s->left)
		emit_n(o, ' ', pad);
}

static int to_digits(unsigned long long v, unsigned base, bool upper, char *buf)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = set[v % base];
		v /= base;
	} while (v);
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

static void format_int(struct out *o, const struct spec *s, char conv, va_list *ap)
{
	char digits[24];
	const char *sign = "", *prefix = "";
	unsigned long long v;
	unsigned base = 10;
	int n;

	if (conv == 'd' || conv == 'i') {
		long long x = arg_signed(s, ap);
		v = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
		sign = x < 0 ? "-" : s->plus ? "+" : s->space ? " " : "";
	} else {
		v = arg_unsigned(s, ap);
		base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
		if (s->alt && v && base == 16)
			prefix = conv == 'X' ? "0X" : "0x";
	}
	n = (v == 0 && s->precision == 0) ? 0 : to_digits(v, base, conv == 'X', digits);
	/* '#' with %o: the first digit printed must be a 0 (none added when one is already there). */
	if (s->alt && base == 8 && s->precision <= n && (n == 0 || digits[0] != '0'))
		prefix = "0";
	emit_number(o, s, sign, prefix, digits, n);
}

static void format_str(struct out *o, const struct spec *s, const char *str)
{
	int n, pad;
	if (!str)
		str = "(null)";
	n = s->precision >= 0 ? (int)strnlen(str, (size_t)s->precision) : (int)strlen(str);
	pad = s->width > n ? s->width - n : 0;
	if (!s->left)
		emit_n(o, ' ', pad);
	for (int i = 0; i < n; i++)
		emit(o, str[i]);
	if (s->left)
		emit_n(o, ' ', pad);
}

int format(format_sink_t sink, void *ctx, const char *fmt, va_list ap_in)
{
	struct out o = { sink, ctx, 0 };
	struct spec s;
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		if (*fmt != '%') {
			emit(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &ap);
		switch (*fmt) {
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
			format_int(&o, &s, *fmt, &ap);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };
			s.precision = 1;
			format_str(&o, &s, c);
			break;
		}
		case 's':
			format_str(&o, &s, va_arg(ap, const char *));
			break;
		case 'p': {
			char digits[24];
			int n = to_digits((uintptr_t)va_arg(ap, void *), 16, false, digits);
			emit_number(&o, &s, "", "0x", digits, n);
			break;
		}
		case '%':
			emit(&o, '%');
			break;
		case '\0':
			/* A lone '%' at the end: print it rather than read past the string. */
			emit(&o, '%');
			fmt--;
			break;
		default:
			/* Unknown conversion: show it verbatim so the mistake is visible. */
			emit(&o, '%');
			emit(&o, *fmt);
			break;
		}
		fmt++;
	}
	va_end(ap);
	return o.count;
}

struct buf_ctx {
	char *buf;
	size_t size, len;
};

static void buf_sink(void *ctx, char c)
{
	struct buf_ctx *b = ctx;
	if (b->len + 1 < b->size)
		b->buf[b->len] = c;
	b->len++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_ctx b = { buf, size, 0 };
	int n = format(buf_sink, &b, fmt, ap);
	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
