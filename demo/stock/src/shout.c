/* A plugin motd loads by its compiled-in path: upper-cases the message. */
#include <ctype.h>
void motd_transform(char *s) {
  for (; *s; ++s) *s = (char)toupper((unsigned char)*s);
}
