/* SPDX-License-Identifier: MIT */
/*
 * parse.h - hand-written parsing of the web UI (parse.c),
 * without dependencies on the server, for the fuzzer.
 */
#ifndef ANZEN_WEB_PARSE_H
#define ANZEN_WEB_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "anzen/util.h"

/* Parse a Cookie header value: the value of name, copied into out (cap
 * bytes). Returns false if absent, malformed or too long. */
bool web_cookie_get(const char *header, const char *name, char *out, size_t cap);
/* Check an Origin header value against the Host header: https, and the
 * same host and port. */
bool web_origin_ok(const char *origin, const char *host);

#endif
