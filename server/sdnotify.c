/*
 * systemd notification (sdnotify.h): through libsystemd when built with it,
 * else the same protocol by hand, so that Type=notify works either way:
 * one datagram "STATE" to the AF_UNIX socket named by $NOTIFY_SOCKET (a
 * leading '@' means the abstract namespace). Without $NOTIFY_SOCKET this
 * does nothing.
 */
#include "sdnotify.h"

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>

void
sdnotify(const char *state)
{
	(void)sd_notify(0, state);
}
#else
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void
sdnotify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	n = strlen(path);
	if (n >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	/* A datagram socket never blocks the loop on a full peer: MSG_DONTWAIT. */
	(void)sendto(fd, state, strlen(state), MSG_NOSIGNAL | MSG_DONTWAIT,
	        (struct sockaddr *)&sa,
	        (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
	close(fd);
}
#endif
