/* Identities and role names (see identity.h). */
#include <string.h>

#include "identity.h"
#include "xmalloc.h"

struct identity *
identity_new(const char *login, const char *name, const char *team,
	const char *org, const char *currency, const char *timezone)
{
	const char *src[6] = {login, name, team, org, currency, timezone};
	size_t len[6], total = 0;
	struct identity *id;
	char *p;

	for (int i = 0; i < 6; i++) {
		src[i] = src[i] ? src[i] : "";
		len[i] = strlen(src[i]) + 1;
		total += len[i];
	}
	id = xcalloc(1, sizeof(*id) + total);
	p = id->strs;
	for (int i = 0; i < 6; i++) {
		memcpy(p, src[i], len[i]);
		src[i] = p;
		p += len[i];
	}
	id->login = src[0];
	id->name = src[1];
	id->team = src[2];
	id->org = src[3];
	id->currency = src[4];
	id->timezone = src[5];
	return id;
}

static const char *const names[] = {
	[ROLE_NONE] = "none",
	[ROLE_ADMIN] = "admin",
	[ROLE_DIRECTOR] = "director",
	[ROLE_MANAGER] = "manager",
	[ROLE_REP] = "rep",
};

void
identity_set_token_hash(struct identity *id, const char *hex)
{
	memset(id->token_hash, 0, sizeof(id->token_hash));
	for (size_t i = 0; i < 2 * sizeof(id->token_hash) && hex[i]; i++) {
		int c = hex[i], v = c >= 'a' ? c - 'a' + 10
			: c >= 'A' ? c - 'A' + 10 : c - '0';
		id->token_hash[i / 2] |= (uint8_t)((v & 15) << (i % 2 ? 0 : 4));
	}
}

void
identity_token_hash(const struct identity *id, char hex[65])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < sizeof(id->token_hash); i++) {
		hex[2 * i] = digits[id->token_hash[i] >> 4];
		hex[2 * i + 1] = digits[id->token_hash[i] & 15];
	}
	hex[64] = '\0';
}

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
