/* corpus: load tests/corpus/requests.txt, the request cases shared by tests. */
#ifndef TINE_CORPUS_H
#define TINE_CORPUS_H

#include <stdbool.h>
#include <stddef.h>

/* One request and what the parser and the running server must make of it. */
struct corpus_case {
	int		 line;		/* line number in the file */
	char		*name;
	int		 parse_status;	/* 0 = parses; else req->status */
	int		 server_status;	/* status line the server sends */
	bool		 close;		/* server closes after answering */
	char		*raw;		/* request bytes, escapes expanded */
	size_t		 rawlen;
};

/*
 * Read every case of the file at path into a new array (free it with
 * corpus_free). Returns 0, or -1 with a message naming the line on stderr.
 */
int	corpus_load(const char *path, struct corpus_case **out, size_t *n);

/* Free what corpus_load returned. */
void	corpus_free(struct corpus_case *, size_t n);

/* Write the corpus path below $TINE_SRCDIR ("." when unset); 0 or -1. */
int	corpus_path(char *buf, size_t len);

#endif
