/* SPDX-License-Identifier: MIT */
/*
 * throttle.c - the arithmetic of login back-off (auditlog.h): a few free
 * tries, then a wait that doubles with every further failure, capped.
 */
#include "anzen/auditlog.h"

long long az_backoff_delay(int failures, int free, long long base, long long cap)
{
    long long d = base;

    if (failures < free || base <= 0)
        return 0;
    for (int i = free; i < failures; i++) {
        if (d >= cap || d > cap / 2)
            return cap; /* doubling would pass the cap (or overflow) */
        d *= 2;
    }
    return d < cap ? d : cap;
}
