/* huntpack test stub: resolves SetWindowsHookExA at run time (GetProcAddress), so the
   import table does not show it. Never run by the tests. */
#include <windows.h>

typedef HHOOK(WINAPI *set_hook_fn)(int, HOOKPROC, HINSTANCE, DWORD);

static LRESULT CALLBACK on_key(int code, WPARAM wparam, LPARAM lparam)
{
    return 0;
}

int main(void)
{
    MSG message;
    HMODULE user32 = LoadLibraryA("user32.dll");
    set_hook_fn set_hook = (set_hook_fn)GetProcAddress(user32, "SetWindowsHookExA");
    if (set_hook == NULL) {
        return 1;
    }
    set_hook(WH_KEYBOARD_LL, on_key, GetModuleHandleA(NULL), 0);
    while (GetMessageA(&message, NULL, 0, 0) > 0) {
        DispatchMessageA(&message);
    }
    return 0;
}
