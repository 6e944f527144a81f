/*
 * Host unit tests for lib/errno.c: every error number with a name has a text, and unknown
 * numbers (either sign) get the fallbacks the shell's messages rely on.
 */
#include "lib/errno.h"
#include "tests/host/tap.h"

int main(void)
{
	int missing = 0;

	for (int e = 1; e < 200; e++)
		if (tap_strcmp(errno_name(e), "E?") != 0 &&
		    tap_strcmp(errno_text(e), "unknown error") == 0) {
			tap_diag("%s has a name but no text", errno_name(e));
			missing++;
		}
	tap_check(missing == 0, "every named error number has a text");
	TAP_EXPECT_STREQ(errno_text(-ENOENT), "no such file or directory", "negative ENOENT");
	TAP_EXPECT_STREQ(errno_text(ENOTEMPTY), "directory not empty", "positive ENOTEMPTY");
	TAP_EXPECT_STREQ(errno_text(EROFS), "read-only file system", "EROFS");
	TAP_EXPECT_STREQ(errno_text(1000), "unknown error", "an unknown number");
	TAP_EXPECT_STREQ(errno_name(-EBUSY), "EBUSY", "errno_name of a negative EBUSY");
	return tap_done();
}
