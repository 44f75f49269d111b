/* huntpack test program: an ordinary GUI window that reads the Shift state with GetKeyState
   (as many editors do). The analyzer must NOT call it a keylogger. Never run by the tests. */
#include <windows.h>

static LRESULT CALLBACK on_message(HWND window, UINT message, WPARAM wparam, LPARAM lparam)
{
    if (message == WM_KEYDOWN && (GetKeyState(VK_SHIFT) & 0x8000)) {
        MessageBeep(MB_OK);
        return 0;
    }
    if (message == WM_DESTROY) {
        PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcA(window, message, wparam, lparam);
}

int WINAPI WinMain(HINSTANCE instance, HINSTANCE previous, LPSTR command, int show)
{
    WNDCLASSA klass = {0};
    MSG message;
    klass.lpfnWndProc = on_message;
    klass.hInstance = instance;
    klass.lpszClassName = "HuntpackCleanWindow";
    RegisterClassA(&klass);
    HWND window = CreateWindowExA(0, klass.lpszClassName, "Notes", WS_OVERLAPPEDWINDOW,
                                  CW_USEDEFAULT, CW_USEDEFAULT, 400, 300, NULL, NULL, instance, NULL);
    ShowWindow(window, show);
    while (GetMessageA(&message, NULL, 0, 0) > 0) {
        TranslateMessage(&message);
        DispatchMessageA(&message);
    }
    return 0;
}
