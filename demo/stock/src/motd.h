/* libmotd: the line the motd tool prints. */
#include <stddef.h>
void motd_format(char *out, size_t len, const char *who, const char *message);
