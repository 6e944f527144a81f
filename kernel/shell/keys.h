/*
 * From terminal bytes to keys. A terminal sends a plain key as one byte and a special key
 * (arrows, Home, End, Delete) as an escape sequence: ESC [ params final (a CSI sequence, as in
 * ESC [ A for Up or ESC [ 3 ~ for Delete) or ESC O final (SS3, which some terminals send for
 * arrows and Home/End). The decoder is a small state machine fed one byte at a time.
 */
#ifndef KERNEL_SHELL_KEYS_H
#define KERNEL_SHELL_KEYS_H

#include <stdbool.h>

#define CTRL(c) ((c)&0x1f) /* the byte a terminal sends for Ctrl+letter: CTRL('C') == 0x03 */
#define KEY_ESC 0x1b
#define KEY_DEL 0x7f /* what most terminals send for Backspace */

/*
 * What key_decode returns. 0x00..0x7f is the byte itself (a printable character or a control
 * key); the special keys sit above any byte value.
 */
enum key {
	KEY_NONE = -1, /* the byte was swallowed: part of a sequence, or ignored */
	KEY_ENTER = 0x100,
	KEY_UP,
	KEY_DOWN,
	KEY_RIGHT,
	KEY_LEFT,
	KEY_HOME,
	KEY_END,
	KEY_DELETE,
};

struct key_decoder {
	enum { KD_GROUND, KD_ESC, KD_CSI, KD_SS3 } state;
	unsigned param;	 /* the first numeric parameter of a CSI sequence, saturated */
	bool param_done; /* a ';' ended the first parameter; later ones are ignored */
	bool after_cr;	 /* the last byte was '\r': a '\n' right after it is the same Enter */
};

/*
 * Feeds one byte (0..255). Returns a key, or KEY_NONE. Broken, unknown or truncated sequences
 * are dropped whole; a control byte that interrupts a sequence is still delivered, so Ctrl-C
 * and Enter always work. Bytes 0x80..0xff are never delivered.
 */
int key_decode(struct key_decoder *d, int byte);

#endif
