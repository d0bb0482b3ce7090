/* SPDX-License-Identifier: MIT */
/*
 * am_banned.h -- functions we never call (git's banned.h).  Include it
 * last, in an include block of its own.
 */
#ifndef AM_BANNED_H
#define AM_BANNED_H

#define AM_BANNED(func) sorry_##func##_is_banned

#undef strcpy
#define strcpy(x, y) AM_BANNED(strcpy)
#undef strcat
#define strcat(x, y) AM_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) AM_BANNED(strncpy)
#undef sprintf
#define sprintf(...) AM_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) AM_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) AM_BANNED(strtok)
#undef atoi
#define atoi(x) AM_BANNED(atoi)
#undef atof
#define atof(x) AM_BANNED(atof)
#undef rand
#define rand() AM_BANNED(rand)
#undef gets
#define gets(x) AM_BANNED(gets)

#endif
