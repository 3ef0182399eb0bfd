/* SPDX-License-Identifier: MIT */
/*
 * hint.h - help for people who typed something slightly wrong: operating
 * system errors in the message language (never English inside a Japanese
 * sentence), and "did you mean" suggestions by Damerau-Levenshtein
 * distance (as git does for mistyped commands).
 *
 * Ownership: az_errno_text returns a static string; az_suggest returns one
 * of the caller's candidates (borrowed) or NULL.
 */
#ifndef ANZEN_HINT_H
#define ANZEN_HINT_H

#include <stddef.h>

#include "anzen.h"

/* The text for errno value e in lang: Japanese for the common file errors
 * (ENOENT ファイルがありません, EACCES 権限がありません, ...), a Japanese
 * sentence naming the code for the rest; strerror() in English. */
const char *az_errno_text(enum az_lang lang, int e);

/* The optimal-string-alignment Damerau-Levenshtein distance between a and
 * b, counted in Unicode code points (so 台帳 and 台長 differ by one). */
size_t az_dl_distance(const char *a, const char *b);

/* The candidate closest to word, if it is close enough to be a plausible
 * typo (distance at most 2, and less than half the word's length; or word
 * is a prefix of exactly one candidate); NULL otherwise or when two
 * candidates are equally close. */
const char *az_suggest(const char *word, const char *const *cands, size_t n);

#endif
