/*
 * Exit with status 0, doing nothing else. Its counterpart is false.c.
 */
int
main(void)
{
    return 0;
}
