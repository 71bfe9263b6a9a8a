/* /proc readings for the load tool's report (see procstat.h). */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "procstat.h"

static int
proc_cpu(int pid, double *cpu, int *ppid)
{
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;
	unsigned long long ut = 0, st = 0;
	int pp = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	/* After ")": state ppid pgrp session tty tpgid flags minflt cminflt
	 * majflt cmajflt utime stime ... */
	if (sscanf(p + 2,
	            "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &pp,
	            &ut, &st) != 3)
		return -1;
	*cpu = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	if (ppid)
		*ppid = pp;
	return 0;
}

void
proc_stat(int pid, struct pstat *ps)
{
	char path[64], line[256];
	FILE *f;

	memset(ps, 0, sizeof(*ps));
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			ps->rss_kib = atol(line + 6);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			ps->hwm_kib = atol(line + 6);
	}
	fclose(f);
	ps->ok = proc_cpu(pid, &ps->cpu_s, NULL) == 0;
}

double
proc_tree_cpu(int root)
{
	DIR *d;
	struct dirent *e;
	double sum = 0, cpu;
	int ppid;

	if (root <= 0)
		return 0;
	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		int pid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = atoi(e->d_name);
		if (proc_cpu(pid, &cpu, &ppid) != 0)
			continue;
		if (pid == root || ppid == root)
			sum += cpu;
	}
	closedir(d);
	return sum;
}

double
self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	        (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}
