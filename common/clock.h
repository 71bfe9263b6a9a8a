/* Wall-clock time as Pace counts it: int64 microseconds since the epoch, UTC. */
#ifndef PACE_CLOCK_H
#define PACE_CLOCK_H

#include <stdint.h>

int64_t clock_now_us(void);
int64_t clock_mono_us(void);

#endif
