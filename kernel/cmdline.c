/* Splits the command line once into key/value pairs kept in static storage. */
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "lib/string.h"

#define CMDLINE_MAX   1024
#define CMDLINE_WORDS 32

static char raw[CMDLINE_MAX];
static char words[CMDLINE_MAX];
static const char *keys[CMDLINE_WORDS], *values[CMDLINE_WORDS];
static int nwords;

/*
 * Splits words in place: a word ends at a space outside double quotes, and the quotes are
 * dropped, so `utest="/bin/a -x,/bin/b"` (or GRUB's `"utest=/bin/a -x,/bin/b"`) is the key
 * utest with the value `/bin/a -x,/bin/b`, as Linux's next_arg() reads its command line.
 */
static char *next_word(char *p)
{
	char *out = p;
	bool quoted = false;

	for (; *p && (quoted || *p != ' '); p++) {
		if (*p == '"')
			quoted = !quoted;
		else
			*out++ = *p;
	}
	if (*p)
		p++;
	*out = '\0';
	return p;
}

void cmdline_init(const char *line)
{
	char *p = words;

	if (strlcpy(raw, line, sizeof(raw)) >= sizeof(raw))
		pr_warn("cmdline: longer than %d bytes, truncated\n", CMDLINE_MAX - 1);
	strlcpy(words, raw, sizeof(words));
	nwords = 0;
	while (*p) {
		char *word, *eq;

		if (*p == ' ') {
			p++;
			continue;
		}
		if (nwords == CMDLINE_WORDS) {
			pr_warn("cmdline: more than %d words, the rest ignored\n", CMDLINE_WORDS);
			break;
		}
		word = p;
		p = next_word(p);
		eq = strchr(word, '=');
		keys[nwords] = word;
		values[nwords] = "";
		if (eq) {
			*eq = '\0';
			values[nwords] = eq + 1;
		}
		nwords++;
	}
}

const char *cmdline_get(const char *key)
{
	/* The last occurrence wins, so a later word overrides an earlier one. */
	for (int i = nwords - 1; i >= 0; i--)
		if (strcmp(keys[i], key) == 0)
			return values[i];
	return NULL;
}

bool cmdline_has(const char *key)
{
	return cmdline_get(key) != NULL;
}

const char *cmdline_raw(void)
{
	return raw;
}
