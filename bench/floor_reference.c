/*
 * The machine's floor for a 1 kHz loop: what native code gets from this kernel and VM with the
 * same design as tactus' worker runtime (sleep until `margin` before the release, then spin on the
 * clock), so the bench can show how much of the worker loop's lateness is the machine's.
 *
 * Release k is due at t0 + k * period; the thread sleeps with clock_nanosleep(TIMER_ABSTIME) until
 * the release minus the margin, then spins on clock_gettime (vDSO: no syscall, no allocation).
 * Timer slack is set to 1 us, as the worker launchers do. Lateness = first clock reading >= the
 * release minus the release. CPU = this process's CPU time over the window. Prints one JSON object.
 *
 *     cc -O2 -o /tmp/floor bench/floor_reference.c && /tmp/floor --period-ms 1 --margin-us 120 --duration-s 4
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>

static double now_ms(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double percentile(const double *sorted, long n, double p) {
  long rank = (long)(p / 100.0 * (double)n + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return sorted[rank - 1];
}

int main(int argc, char **argv) {
  double period_ms = 1, margin_us = 120, duration_s = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--period-ms") == 0) period_ms = atof(argv[i + 1]);
    else if (strcmp(argv[i], "--margin-us") == 0) margin_us = atof(argv[i + 1]);
    else if (strcmp(argv[i], "--duration-s") == 0) duration_s = atof(argv[i + 1]);
    else {
      fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (period_ms <= 0 || margin_us < 0 || duration_s <= 0) {
    fprintf(stderr, "period, margin and duration must be positive\n");
    return 2;
  }
  prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
  long runs = (long)(duration_s * 1000.0 / period_ms);
  double *lateness = malloc(sizeof(double) * (size_t)runs);
  if (lateness == NULL) return 1;
  double margin_ms = margin_us / 1000.0;
  double t0 = now_ms(CLOCK_MONOTONIC) + 500; /* half a second to settle, unmeasured */
  double cpu0 = 0;
  for (long k = -(long)(500 / period_ms); k < runs; k++) {
    double at = t0 + (double)k * period_ms;
    double wake = at - margin_ms;
    if (now_ms(CLOCK_MONOTONIC) < wake) {
      struct timespec ts = {(time_t)(wake / 1e3), (long)((wake - (double)(time_t)(wake / 1e3) * 1e3) * 1e6)};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    double reached = now_ms(CLOCK_MONOTONIC);
    while (reached < at) reached = now_ms(CLOCK_MONOTONIC);
    if (k == 0) cpu0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
    if (k >= 0) lateness[k] = reached - at;
  }
  double cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  double wall = (double)runs * period_ms;
  qsort(lateness, (size_t)runs, sizeof(double), compare);
  printf("{\"runs\":%ld,\"core\":%.6f,\"latenessMs\":{\"p50\":%.6f,\"p99\":%.6f,\"max\":%.6f}}\n", runs, cpu / wall,
         percentile(lateness, runs, 50), percentile(lateness, runs, 99), lateness[runs - 1]);
  free(lateness);
  return 0;
}
