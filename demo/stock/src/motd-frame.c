/* The helper motd runs by its compiled-in path: frames a line. */
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  const char *line = argc > 1 ? argv[1] : "";
  size_t n = strlen(line) + 4;
  for (size_t i = 0; i < n; ++i) putchar(i == 0 || i == n - 1 ? '+' : '-');
  printf("\n| %s |\n", line);
  for (size_t i = 0; i < n; ++i) putchar(i == 0 || i == n - 1 ? '+' : '-');
  putchar('\n');
  return 0;
}
