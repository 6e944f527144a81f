/* Freestanding string and memory functions (the compiler may emit calls to the mem* ones). */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* The first occurrence of needle in s, or NULL; an empty needle is found at s. */
char *strstr(const char *s, const char *needle);
char *strrchr(const char *s, int c);
/* Copies at most size-1 bytes and always terminates (when size > 0); returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);
size_t strlcat(char *dst, const char *src, size_t size);
/*
 * Parses an unsigned number in base 10, or 16 with "0x", or 8 with a leading 0 (base 0), and
 * an optional K/M/G suffix when suffix is true. Returns 0 and stores the value, or -1 when the
 * whole string is not a number or the value overflows.
 */
int parse_u64(const char *s, unsigned long long *out, int base, int suffix);

#endif
