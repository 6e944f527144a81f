/*
 * /dev/console: the serial console as a character device (Linux's is drivers/tty/tty_io.c's
 * console device, 5:1). Its files write straight to the UART, read typed lines through the
 * line discipline (n_tty.c), and answer the two terminal ioctls a C library asks at start-up
 * (TCGETS: isatty for glibc; TIOCGWINSZ: for musl), so that stdout on it is line-buffered.
 */
#include "drivers/tty/tty.h"
#include "fs/dirops.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/syscalls.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "mm/uaccess.h"

#define CONSOLE_RDEV ((5u << 8) | 1) /* makedev(5, 1), as Linux */

#define TCGETS	   0x5401
#define TIOCGWINSZ 0x5413
#define NCCS	   19 /* the kernel's struct termios, not the C library's */

struct termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS];
};
_Static_assert(sizeof(struct termios) == 36, "Linux's x86_64 kernel termios");

struct winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* What a terminal in its default (cooked) mode reports: CR read as NL and XON/XOFF (iflag),
   NL written as CR NL (oflag), 38400 baud 8 bits (cflag), canonical with echo and signals
   (lflag); the control bytes are the usual ones (^C interrupt, DEL erase, ^D end of file). */
static const struct termios console_termios = {
	.c_iflag = 02400,   /* ICRNL | IXON */
	.c_oflag = 05,	    /* OPOST | ONLCR */
	.c_cflag = 02277,   /* B38400 | CS8 | CREAD | HUPCL */
	.c_lflag = 0105073, /* ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN */
	.c_cc = {[0] = 0x03,
		 [1] = 0x1c,
		 [2] = 0x7f,
		 [3] = 0x15,
		 [4] = 0x04,
		 [6] = 1,
		 [8] = 0x11,
		 [9] = 0x13,
		 [10] = 0x1a,
		 [12] = 0x12,
		 [13] = 0x0f,
		 [14] = 0x17,
		 [15] = 0x16},
};

static ssize_t console_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	(void)f;
	(void)pos; /* a terminal has no position */
	return n_tty_read(buf, n);
}

/* Writes the bytes as they are, under console_lock: one write comes out whole even when
   several CPUs write, and no printk line comes between its bytes. */
static ssize_t console_fwrite(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	(void)f;
	(void)pos;
	console_write_locked(buf, n);
	return (ssize_t)n;
}

static long console_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	static const struct winsize ws = {.ws_row = 24, .ws_col = 80};

	(void)f;
	switch (cmd) {
	case TCGETS:
		return copy_to_user((void __user *)arg, &console_termios, sizeof(console_termios))
			       ? -EFAULT
			       : 0;
	case TIOCGWINSZ:
		return copy_to_user((void __user *)arg, &ws, sizeof(ws)) ? -EFAULT : 0;
	default:
		return -ENOTTY; /* setting modes (TCSETS...) is not supported */
	}
}

static const struct file_operations console_fops = {
	.read = console_read,
	.write = console_fwrite,
	.unlocked_ioctl = console_ioctl,
};

/* Makes /dev (0755) and /dev/console (0620, 5:1) in the root tmpfs. Boot, after vfs_init. */
void console_dev_init(void)
{
	struct path dev;
	int err;

	if ((err = sys_mkdir("/dev", 0755)) || (err = kern_path("/dev", LOOKUP_DIRECTORY, &dev)))
		panic("console_dev_init: cannot make /dev (%d)", err);
	err = vfs_mknod_at(&dev, "console", 0620, CONSOLE_RDEV, &console_fops);
	path_put(&dev);
	if (err)
		panic("console_dev_init: cannot make /dev/console (%d)", err);
}
