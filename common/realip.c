/* realip: the client behind trusted proxies, from X-Forwarded-For (or a field like it). */
#include "tine_build.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "cidr.h"
#include "http.h"
#include "realip.h"

/* "[v6]:65535" and more: a longer entry is no address. */
#define REALIP_ENTRY_MAX	64

/* Whether addr is in one of the n trusted blocks. */
bool
realip_trusted(const struct cidr *trusted, size_t n,
    const struct cidr_addr *addr)
{
	return cidr_longest(trusted, n, addr) >= 0;
}

/* Whether s is a port, ":1" to ":65535" (Azure's proxies add one). */
static bool
realip_port(const char *s)
{
	size_t	n = strspn(s + 1, "0123456789"), i;
	long	v = 0;

	if (s[0] != ':' || n == 0 || n > 5 || s[1 + n] != '\0')
		return false;
	for (i = 1; i <= n; i++)
		v = v * 10 + (s[i] - '0');
	return v >= 1 && v <= 65535;
}

/* Parse an entry, written NUL-ended in a, into out; 0 or -1. */
static int
realip_parse(char *a, struct sockaddr_storage *out)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)out;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)out;
	char			*end, *colon = strchr(a, ':');

	memset(out, 0, sizeof(*out));
	if (a[0] == '[') {
		if ((end = strchr(a, ']')) == NULL ||
		    (end[1] != '\0' && !realip_port(end + 1)))
			return -1;
		*end = '\0';
		a++;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		if (!realip_port(colon))
			return -1;
		*colon = '\0';		/* "192.0.2.1:4711" */
	}
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

/* One comma-separated entry (len bytes at s, blanks around it allowed)
 * as an address; 0 or -1 when it is none. */
static int
realip_entry(const char *s, size_t len, struct sockaddr_storage *out)
{
	char	a[REALIP_ENTRY_MAX];

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof(a) || memchr(s, '\0', len) != NULL)
		return -1;
	memcpy(a, s, len);
	a[len] = '\0';
	return realip_parse(a, out);
}

/* Walk one field value from the right; 1 the client is found (an
 * untrusted entry, or a bad one ended the walk), 0 go on to the line
 * before. *found says whether *out holds an address. */
static int
realip_value(const struct cidr *trusted, size_t n, struct http_str v,
    struct sockaddr_storage *out, bool *found)
{
	struct sockaddr_storage	 ss;
	struct cidr_addr	 ca;
	const char		*start;
	size_t			 end = v.len, i;

	if (v.ptr == NULL)
		return 1;	/* an empty line: no address */
	for (;;) {
		for (i = end; i > 0 && v.ptr[i - 1] != ','; i--)
			;
		start = v.ptr + i;
		if (realip_entry(start, end - i, &ss) == -1 ||
		    cidr_addr_from((struct sockaddr *)&ss, &ca) == -1)
			return 1;
		*out = ss;
		*found = true;
		if (!realip_trusted(trusted, n, &ca))
			return 1;
		if (i == 0)
			return 0;
		end = i - 1;
	}
}

/* The client a request's field names; see realip.h. */
int
realip_client(const struct cidr *trusted, size_t n,
    const struct http_request *req, const char *name,
    struct sockaddr_storage *out)
{
	const struct http_header	*h;
	bool				 found = false;
	int				 i;

	for (i = req->nheaders - 1; i >= 0; i--) {
		h = &req->headers[i];
		if (h->name.len != strlen(name) ||
		    strncasecmp(h->name.ptr, name, h->name.len) != 0)
			continue;
		if (realip_value(trusted, n, h->value, out, &found) == 1)
			break;
	}
	return found ? 1 : 0;
}
