/*
 * Exit with status 1, doing nothing else. Its counterpart is true.c.
 */
int
main(void)
{
    return 1;
}
