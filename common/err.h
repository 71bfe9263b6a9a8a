/*
 * One error convention for all of Pace: functions return 0 on success or a
 * negative code, either a libuv UV_E* (errno-like, above -10000) or one of
 * ours below. err_to_wire() is the only mapping to protocol error codes.
 */
#ifndef PACE_ERR_H
#define PACE_ERR_H

#define WARN_UNUSED __attribute__((warn_unused_result))

enum {
	E_BASE = -10000,
	E_INVALID = -10001,     /* bad input: INVALID_ARGUMENT */
	E_UNAUTH = -10002,      /* not logged in / bad credentials */
	E_DENIED = -10003,      /* role or scope forbids it */
	E_NOTFOUND = -10004,
	E_CONFLICT = -10005,    /* duplicate, or same op id other content */
	E_UNAVAILABLE = -10006, /* database down: retry later */
	E_EXHAUSTED = -10007,   /* a rate or size limit */
	E_INTERNAL = -10008,
	E_DB_BUSY = -10009,     /* database queue full: retry later */
	E_TOO_BIG = -10010,     /* frame over the limit */
	E_EMPTY = -10011,       /* zero-length frame */
	E_PROTO = -10012,       /* undecodable frame or wrong sequence */
	E_VERSION = -10013,     /* unsupported protocol version */
	E_CONFIG = -10014,      /* bad configuration */
	E_TIMEOUT = -10015,
	E_CLOSED = -10016,      /* connection closed */
	E_LAST = -10017,
};

/* A short English description of any code (ours or an errno-style one). */
const char *err_str(int code);

/* The protocol ErrorCode (proto/session.proto) for an internal code. */
int err_to_wire(int code);

/* The internal code for a protocol ErrorCode (clients use this). */
int err_from_wire(int wire_code);

#endif
