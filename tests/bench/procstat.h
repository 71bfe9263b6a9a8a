/*
 * What /proc says of a process: resident memory and CPU time, for the
 * load tool's report of the server's and PostgreSQL's cost.
 */
#ifndef PACE_BENCH_PROCSTAT_H
#define PACE_BENCH_PROCSTAT_H

struct pstat {
	long rss_kib, hwm_kib;
	double cpu_s;
	int ok;
};

/* RSS, its high-water mark and CPU seconds of pid (ok 0 if it is gone). */
void proc_stat(int pid, struct pstat *ps);
/* CPU seconds of root and its children (a postmaster and its backends);
 * 0 for root <= 0. */
double proc_tree_cpu(int root);
/* CPU seconds of this process. */
double self_cpu(void);

#endif
