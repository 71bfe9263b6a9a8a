/* `paced init --org NAME --admin LOGIN --password-stdin` (see init_cmd.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "auth.h"
#include "init_cmd.h"
#include "log.h"

static const char *
flag(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], name, n) != 0)
			continue;
		if (argv[i][n] == '=')
			return argv[i] + n + 1;
		if (argv[i][n] == '\0' && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

static int
has(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int
init_cmd(const char *conninfo, int argc, char **argv)
{
	const char *org = flag(argc, argv, "--org");
	const char *admin = flag(argc, argv, "--admin");
	char pw[1100], hash[256];
	const char *params[3];
	PGconn *pg = NULL;
	PGresult *r = NULL;
	int code = 1;
	size_t n;

	if (org == NULL || admin == NULL || !has(argc, argv, "--password-stdin")) {
		fprintf(stderr, "usage: paced init --org NAME --admin LOGIN "
				"--password-stdin [database options]\n");
		return 2;
	}
	if (fgets(pw, sizeof(pw), stdin) == NULL) {
		fprintf(stderr, "paced init: no password on standard input\n");
		return 2;
	}
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	if (n < 8 || n > 1024) {
		fprintf(stderr, "paced init: the password must be 8-1024 bytes\n");
		goto out;
	}
	if (auth_hash_now(pw, hash, sizeof(hash)) != 0) {
		fprintf(stderr, "paced init: could not hash the password\n");
		goto out;
	}
	pg = PQconnectdb(conninfo);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "paced init: %s", PQerrorMessage(pg));
		code = 3;
		goto out;
	}
	params[0] = org;
	params[1] = admin;
	params[2] = hash;
	r = PQexecParams(pg, "SELECT pace.init_org($1, $2, $3)", 3, NULL, params,
		NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		fprintf(stderr, "paced init: refused: %s\n",
			msg ? msg : PQerrorMessage(pg));
		goto out;
	}
	printf("initialised organisation \"%s\" with admin \"%s\"\n", org, admin);
	code = 0;
out:
	sodium_memzero(pw, sizeof(pw));
	if (r)
		PQclear(r);
	PQfinish(pg);
	return code;
}
