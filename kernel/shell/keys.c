/*
 * The key decoder: a state machine over the bytes a terminal sends (see keys.h).
 *
 *	GROUND --ESC--> ESC --'['--> CSI --digits, ';', other 0x20..0x3f--> CSI
 *	                 |                --final byte 0x40..0x7e--> GROUND (a key, or nothing)
 *	                 +--'O'--> SS3 --any byte--> GROUND (a key, or nothing)
 *
 * The rule that makes it safe against garbage: inside a sequence, a control byte ends the
 * sequence and is then handled as if no sequence had started (so Enter, Ctrl-C and a new ESC
 * always act), and anything else that is not understood is dropped, never typed. A sequence
 * of any length stays harmless: its parameters saturate, and it ends at its final byte or at the
 * first control byte.
 */
#include "kernel/shell/keys.h"

#define PARAM_MAX 10000 /* parameters saturate here; no real key uses more than two digits */

static bool is_control(int byte)
{
	return byte < 0x20 || byte == 0x7f;
}

/* A byte outside any sequence. */
static int ground(struct key_decoder *d, int byte, bool after_cr)
{
	if (byte == '\r') {
		d->after_cr = true;
		return KEY_ENTER;
	}
	if (byte == '\n')
		return after_cr ? KEY_NONE : KEY_ENTER;
	if (byte == KEY_ESC) {
		d->state = KD_ESC;
		return KEY_NONE;
	}
	if (byte >= 0x80)
		return KEY_NONE;
	return byte;
}

/* The final byte of ESC [ ... (CSI) or ESC O ... (SS3). */
static int final_key(int final, unsigned param)
{
	switch (final) {
	case 'A':
		return KEY_UP;
	case 'B':
		return KEY_DOWN;
	case 'C':
		return KEY_RIGHT;
	case 'D':
		return KEY_LEFT;
	case 'H':
		return KEY_HOME;
	case 'F':
		return KEY_END;
	case '~': /* the VT220 editing keys: ESC [ n ~ */
		if (param == 1 || param == 7)
			return KEY_HOME;
		if (param == 4 || param == 8)
			return KEY_END;
		if (param == 3)
			return KEY_DELETE;
		return KEY_NONE;
	default:
		return KEY_NONE;
	}
}

static int csi(struct key_decoder *d, int byte)
{
	if (byte >= '0' && byte <= '9') {
		if (!d->param_done && d->param < PARAM_MAX)
			d->param = d->param * 10 + (unsigned)(byte - '0');
		return KEY_NONE;
	}
	if (byte == ';') {
		d->param_done = true;
		return KEY_NONE;
	}
	if (byte < 0x40) /* other parameter and intermediate bytes: part of the sequence */
		return KEY_NONE;
	d->state = KD_GROUND;
	return final_key(byte, d->param);
}

int key_decode(struct key_decoder *d, int byte)
{
	bool after_cr = d->after_cr;

	byte &= 0xff;
	d->after_cr = false;
	if (d->state != KD_GROUND && (is_control(byte) || byte >= 0x80))
		d->state = KD_GROUND; /* a broken sequence: drop it, handle the byte on its own */

	switch (d->state) {
	case KD_ESC:
		if (byte == '[') {
			d->state = KD_CSI;
			d->param = 0;
			d->param_done = false;
		} else if (byte == 'O') {
			d->state = KD_SS3;
		} else {
			d->state = KD_GROUND; /* Alt+key or an unknown sequence: dropped */
		}
		return KEY_NONE;
	case KD_CSI:
		return csi(d, byte);
	case KD_SS3:
		d->state = KD_GROUND;
		return final_key(byte, 0);
	case KD_GROUND:
	default:
		return ground(d, byte, after_cr);
	}
}
