/*
 * Wire constants shared by the server and the clients.
 *
 * Bump PROTO_VERSION when any message in proto/ changes meaning: a peer with
 * another version is refused at Hello rather than misunderstood later.
 */
#ifndef PACE_WIRE_H
#define PACE_WIRE_H

#define PROTO_VERSION 1

/* Every frame starts with its body length as a big-endian uint32. */
#define FRAME_HDR_LEN 4

#define PACE_DEFAULT_PORT 7420

/* Default frame body limits; both are configurable on the server. */
#define MAX_FRAME_BYTES_DEFAULT (1024 * 1024)
/* Before login only Hello, Login, Resume and Ping are served: all small. */
#define MAX_FRAME_BYTES_PREAUTH_DEFAULT 4096

/* Hard ceiling for any configured limit: 64 MiB. */
#define MAX_FRAME_BYTES_CEILING (64u * 1024 * 1024)

#endif
