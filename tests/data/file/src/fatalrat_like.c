/* huntpack example program with FatalRAT-like strings and behaviour markers taken from public
   facts about the family (see the pack's notes). It is NOT malware: it hooks nothing unless
   run, has no network code, and is never run by huntpack or its tests. build.sh post-processes
   the binary so that it looks UPX-packed (section names UPX0/UPX1, a high-entropy section). */
#include <windows.h>
#include <stdio.h>

static const char *markers[] = {
    "SVP7-Thread running...",
    "nw_elf.dll",
    "Fatal.key",
    "EwinhProtocolHosty",
    "SELECT * FROM MSAcpi_ThermalZoneTemperature",
    "XXAcQbcXXfRSScR",
    "VMware Tools",
    "VirtualBox Guest",
};

/* the family's string decryption: k = (key mod 1451) + 61; b = (b xor k) + k */
static void decrypt(char *text, int length, int key)
{
    for (int i = 0; i < length; i++) {
        int k = (key % 1451) + 61;
        text[i] = (char)((text[i] ^ k) + k);
    }
}

static LRESULT CALLBACK on_key(int code, WPARAM wparam, LPARAM lparam)
{
    return CallNextHookEx(NULL, code, wparam, lparam);
}

int WINAPI WinMain(HINSTANCE instance, HINSTANCE previous, LPSTR command, int show)
{
    char buffer[32];
    MSG message;
    lstrcpynA(buffer, markers[5], sizeof buffer);
    decrypt(buffer, lstrlenA(buffer), 13);
    OutputDebugStringA(markers[0]);
    HHOOK hook = SetWindowsHookExA(WH_KEYBOARD_LL, on_key, instance, 0);
    while (GetMessageA(&message, NULL, 0, 0) > 0) {
        DispatchMessageA(&message);
    }
    UnhookWindowsHookEx(hook);
    printf("%s %s\n", buffer, markers[show & 7]);
    return 0;
}
