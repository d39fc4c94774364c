const char *greet_version(void);
void greet(const char *who);
