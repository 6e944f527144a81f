/* Error numbers, with Linux's values so that a reader can look them up. Kernel APIs return -E. */
#ifndef LIB_ERRNO_H
#define LIB_ERRNO_H

#define EPERM	     1
#define ENOENT	     2
#define ESRCH	     3
#define EINTR	     4
#define EIO	     5
#define ENXIO	     6
#define E2BIG	     7
#define ENOEXEC	     8
#define EBADF	     9
#define ECHILD	     10
#define EAGAIN	     11
#define ENOMEM	     12
#define EACCES	     13
#define EFAULT	     14
#define ENOTBLK	     15
#define EBUSY	     16
#define EEXIST	     17
#define EXDEV	     18
#define ENODEV	     19
#define ENOTDIR	     20
#define EISDIR	     21
#define EINVAL	     22
#define ENFILE	     23
#define EMFILE	     24
#define ENOTTY	     25
#define ETXTBSY	     26
#define EFBIG	     27
#define ENOSPC	     28
#define ESPIPE	     29
#define EROFS	     30
#define EMLINK	     31
#define EPIPE	     32
#define ERANGE	     34
#define EDEADLK	     35
#define ENAMETOOLONG 36
#define ENOSYS	     38
#define ENOTEMPTY    39
#define ELOOP	     40
#define EOVERFLOW    75
#define EOPNOTSUPP   95
#define ETIMEDOUT    110
#define EUCLEAN	     117

/* A short name for an error number ("EINVAL"), or "E?" for one it does not know. */
const char *errno_name(int err);
/*
 * What an error number means, in a few lower-case words ("no such file or directory"), for
 * messages such as "cat: /x: no such file or directory (ENOENT)"; "unknown error" when unknown.
 */
const char *errno_text(int err);

#endif
