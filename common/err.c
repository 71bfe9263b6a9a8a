/* Error codes, their names and their one mapping to the wire (see err.h). */
#include <string.h>

#include "err.h"
#include "session.pb-c.h"

const char *
err_str(int code)
{
	switch (code) {
	case 0:
		return "ok";
	case E_INVALID:
		return "invalid argument";
	case E_UNAUTH:
		return "not authenticated";
	case E_DENIED:
		return "permission denied";
	case E_NOTFOUND:
		return "not found";
	case E_CONFLICT:
		return "conflict";
	case E_UNAVAILABLE:
		return "database unavailable";
	case E_EXHAUSTED:
		return "limit exceeded";
	case E_INTERNAL:
		return "internal error";
	case E_DB_BUSY:
		return "database busy";
	case E_TOO_BIG:
		return "frame too big";
	case E_EMPTY:
		return "empty frame";
	case E_PROTO:
		return "protocol error";
	case E_VERSION:
		return "unsupported protocol version";
	case E_CONFIG:
		return "configuration error";
	case E_TIMEOUT:
		return "timed out";
	case E_CLOSED:
		return "connection closed";
	}
	if (code < 0 && code > E_BASE)
		return strerror(-code);
	return "unknown error";
}

int
err_to_wire(int code)
{
	switch (code) {
	case E_INVALID:
	case E_VERSION:
	case E_PROTO:
		return PACE__V1__ERROR_CODE__INVALID_ARGUMENT;
	case E_UNAUTH:
		return PACE__V1__ERROR_CODE__UNAUTHENTICATED;
	case E_DENIED:
		return PACE__V1__ERROR_CODE__PERMISSION_DENIED;
	case E_NOTFOUND:
		return PACE__V1__ERROR_CODE__NOT_FOUND;
	case E_CONFLICT:
		return PACE__V1__ERROR_CODE__CONFLICT;
	case E_UNAVAILABLE:
	case E_DB_BUSY:
	case E_TIMEOUT:
	case E_CLOSED:
		return PACE__V1__ERROR_CODE__UNAVAILABLE;
	case E_EXHAUSTED:
	case E_TOO_BIG:
		return PACE__V1__ERROR_CODE__RESOURCE_EXHAUSTED;
	default:
		return PACE__V1__ERROR_CODE__INTERNAL;
	}
}

int
err_from_wire(int wire_code)
{
	switch (wire_code) {
	case PACE__V1__ERROR_CODE__INVALID_ARGUMENT:
		return E_INVALID;
	case PACE__V1__ERROR_CODE__UNAUTHENTICATED:
		return E_UNAUTH;
	case PACE__V1__ERROR_CODE__PERMISSION_DENIED:
		return E_DENIED;
	case PACE__V1__ERROR_CODE__NOT_FOUND:
		return E_NOTFOUND;
	case PACE__V1__ERROR_CODE__CONFLICT:
		return E_CONFLICT;
	case PACE__V1__ERROR_CODE__UNAVAILABLE:
		return E_UNAVAILABLE;
	case PACE__V1__ERROR_CODE__RESOURCE_EXHAUSTED:
		return E_EXHAUSTED;
	default:
		return E_INTERNAL;
	}
}
