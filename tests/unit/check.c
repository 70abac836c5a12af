/* check.c - counters and the summary for check.h. */
#include "check.h"

int check_failures = 0;
int check_count = 0;

int check_exit(const char *name)
{
    if (check_count == 0) {
        fprintf(stderr, "%s: no checks ran\n", name);
        return 1;
    }
    fprintf(stderr, "%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}
