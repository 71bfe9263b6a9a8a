/* `paced init`: create the organisation and its first admin, then exit. */
#ifndef PACE_INIT_CMD_H
#define PACE_INIT_CMD_H

/* Returns the process exit code. */
int init_cmd(const char *conninfo, int argc, char **argv);

#endif
