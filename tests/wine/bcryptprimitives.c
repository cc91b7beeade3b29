/* Test-only stand-in for Windows' bcryptprimitives.dll, which Wine 8 lacks.
 *
 * Rust's standard library (1.78 and later) gets random bytes on Windows from ProcessPrng in
 * bcryptprimitives.dll (available since Windows 10). Wine 8 has no such DLL, so every Rust exe
 * fails to load under it. This DLL exports the one function and fills the buffer with
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has. It is put in the throwaway Wine
 * prefix's system32 by scripts/wine-setup.sh; it is never shipped.
 *
 * https://learn.microsoft.com/en-us/windows/win32/seccng/processprng
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
