/* Role names (see identity.h). */
#include <string.h>

#include "identity.h"

static const char *const names[] = {
	[ROLE_NONE] = "none",
	[ROLE_ADMIN] = "admin",
	[ROLE_DIRECTOR] = "director",
	[ROLE_MANAGER] = "manager",
	[ROLE_REP] = "rep",
};

enum role
role_parse(const char *s)
{
	for (int r = ROLE_ADMIN; r <= ROLE_REP; r++)
		if (strcmp(s, names[r]) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

const char *
role_name(enum role r)
{
	return r >= ROLE_NONE && r <= ROLE_REP ? names[r] : "none";
}
