/* huntpack test stub: installs a low-level keyboard hook (WH_KEYBOARD_LL = 13).
   Built only to be read by the PE analyzer; it is never run by the tests. */
#include <windows.h>

static LRESULT CALLBACK on_key(int code, WPARAM wparam, LPARAM lparam)
{
    return CallNextHookEx(NULL, code, wparam, lparam);
}

int WINAPI WinMain(HINSTANCE instance, HINSTANCE previous, LPSTR command, int show)
{
    MSG message;
    HHOOK hook = SetWindowsHookExA(WH_KEYBOARD_LL, on_key, instance, 0);
    while (GetMessageA(&message, NULL, 0, 0) > 0) {
        TranslateMessage(&message);
        DispatchMessageA(&message);
    }
    UnhookWindowsHookEx(hook);
    return 0;
}
