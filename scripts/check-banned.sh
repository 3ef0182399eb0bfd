#!/bin/sh
# SPDX-License-Identifier: MIT
# House rules checked in CI (curl's checksrc in spirit):
#  1. banned functions anywhere in C code;
#  2. lib/ never prints, exits or reads the plain environment;
#  3. lib/ never includes the CLI, and the web UI calls lib/ only (never
#     src/cli: the workspace logic both need is in lib/workspace);
#  4. lib/ never reads the environment at all (secure_getenv included):
#     the caller passes what it needs;
#  5. no checklist item IDs written in C under lib/ or src/: rules name
#     edition-neutral topics in data/rules/rules.yaml (finding.h).
set -u
cd "$(dirname "$0")/.."
fail=0

banned='\b(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|gets|atoi|atol|atoll|localtime|gmtime|ctime|asctime|tmpnam|mktemp)[[:space:]]*\('
if grep -nE "$banned" $(find lib src tools tests include -name '*.[ch]'); then
    echo "check-banned: banned function used (see above)" >&2
    fail=1
fi

libprint='(^|[^_a-z])(printf|fprintf|puts|fputs|putchar|perror|exit|abort|getenv)[[:space:]]*\('
if grep -nE "$libprint" $(find lib -name '*.[ch]'); then
    echo "check-banned: lib/ must not print, exit or use getenv (see above)" >&2
    fail=1
fi

if grep -nE '#include[[:space:]]+"(\.\./)*src/|#include[[:space:]]+"cli\.h"' $(find lib include -name '*.[ch]'); then
    echo "check-banned: lib/ must not include the CLI" >&2
    fail=1
fi

if grep -nE '#include[[:space:]]+"(\.\./)*cli/' $(find src/web -name '*.[ch]'); then
    echo "check-banned: src/web must call lib/ only, not src/cli" >&2
    fail=1
fi

if grep -nE '(^|[^_a-z])secure_getenv[[:space:]]*\(' $(find lib -name '*.[ch]'); then
    echo "check-banned: lib/ must not read the environment (see above)" >&2
    fail=1
fi

if grep -nE '"cl-r[0-9]+\.[a-z]\.[a-z0-9-]+' $(find lib src -name '*.[ch]'); then
    echo "check-banned: checklist item IDs in C (name a topic in data/rules/rules.yaml)" >&2
    fail=1
fi

[ $fail -eq 0 ] && echo "check-banned: ok"
exit $fail
